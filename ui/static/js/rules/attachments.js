// Pure: which files a message may carry, and the OpenAI content parts that carry them (docs/wire-formats.md).
//
// Types: those all three wire formats accept inline. Images: PNG, JPEG and WebP (Anthropic also takes GIF, Gemini
// does not: https://docs.anthropic.com/en/docs/build-with-claude/vision, https://ai.google.dev/gemini-api/docs/image-understanding);
// documents: PDF (https://docs.anthropic.com/en/docs/build-with-claude/pdf-support, https://ai.google.dev/gemini-api/docs/document-processing).
export const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp"];
export const PDF_TYPE = "application/pdf";

const MB = 1024 * 1024;
// Anthropic's API refuses an image over 5 MB (the strictest of the three; OpenAI takes 20 MB):
// https://docs.anthropic.com/en/docs/build-with-claude/vision#faq
export const IMAGE_MAX_BYTES = 5 * MB;
// Gemini takes inline data up to a 20 MB request, and base64 makes 3 bytes 4 characters, so the files of one message
// stay under 15 MB (Anthropic's 32 MB request and OpenAI's 32 MB of files fit too):
// https://ai.google.dev/gemini-api/docs/image-understanding#inline-image, https://docs.anthropic.com/en/docs/build-with-claude/pdf-support
export const MESSAGE_MAX_BYTES = 15 * MB;

/** "4.2 MB", "830 KB": a size as a person reads it in a message. */
export function formatBytes(bytes) {
  if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** Why a file cannot go with a message that already carries `attached` (files as {name, type, size}), or null. */
export function refusal(file, attached) {
  const kind = file.type || "an unknown type";
  if (!IMAGE_TYPES.includes(file.type) && file.type !== PDF_TYPE) {
    return `${file.name} is ${kind}: only PNG, JPEG or WebP images and PDF files can be attached`;
  }
  if (IMAGE_TYPES.includes(file.type) && file.size > IMAGE_MAX_BYTES) {
    return `${file.name} is ${formatBytes(file.size)}: an image may be at most ${formatBytes(IMAGE_MAX_BYTES)}`;
  }
  const total = attached.reduce((sum, other) => sum + other.size, 0) + file.size;
  if (total > MESSAGE_MAX_BYTES) {
    return `${file.name} is ${formatBytes(file.size)}: the files of one message may be at most ${formatBytes(MESSAGE_MAX_BYTES)} together`;
  }
  return null;
}

/** Splits `files` into those that may join `attached` (in order, each counted against the next) and refusals. */
export function admit(files, attached) {
  const accepted = [];
  const refused = [];
  for (const file of files) {
    const reason = refusal(file, [...attached, ...accepted]);
    if (reason) refused.push({ name: file.name, reason });
    else accepted.push(file);
  }
  return { accepted, refused };
}

/**
 * A user message's content: its text alone, or OpenAI content parts when it carries files (attachments as
 * {name, type, size, data_url}): the text first, then each file, an image as `image_url`
 * (https://platform.openai.com/docs/guides/images-vision), a PDF as a `file` part with its file name
 * (https://platform.openai.com/docs/guides/pdf-files).
 */
export function messageContent(text, attachments = []) {
  if (!attachments.length) return text;
  const parts = text ? [{ type: "text", text }] : [];
  for (const file of attachments) {
    parts.push(file.type === PDF_TYPE
      ? { type: "file", file: { filename: file.name, file_data: file.data_url } }
      : { type: "image_url", image_url: { url: file.data_url } });
  }
  return parts;
}

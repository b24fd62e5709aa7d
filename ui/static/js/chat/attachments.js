// The composer's files: the Attach button, drag-and-drop onto the composer and a pasted image, each shown as a chip
// with its Remove button until the message is sent. Which files may go is rules/attachments.js's.
import { el } from "../dom.js";
import { admit, formatBytes, IMAGE_TYPES, PDF_TYPE } from "../rules/attachments.js";

const readDataUrl = (file) => new Promise((resolve, reject) => {
  const reader = new FileReader();
  reader.onload = () => resolve(reader.result);
  reader.onerror = () => reject(new Error(`${file.name} could not be read: ${reader.error?.message ?? "unknown error"}`));
  reader.readAsDataURL(file);
});

/** A file's chip: its name and size, a thumbnail for an image, and `onRemove` behind "Remove <name>" (null: none). */
export function attachmentChip(file, onRemove = null) {
  const preview = IMAGE_TYPES.includes(file.type)
    ? el("img", { className: "attachment-thumb", src: file.data_url, alt: "" })
    : el("span", { className: "attachment-icon", "aria-hidden": "true", text: "PDF" });
  const chip = el("li", { className: "attachment-chip" }, [preview,
    el("span", { className: "attachment-name", text: file.name }),
    el("span", { className: "attachment-size", text: formatBytes(file.size) })]);
  if (onRemove) {
    const remove = el("button", { type: "button", className: "icon-button", "aria-label": `Remove ${file.name}`, text: "×" });
    remove.addEventListener("click", () => onRemove(file));
    chip.append(remove);
  }
  return chip;
}

/**
 * Mounts the files' controls in the composer `form`; `notice` tells why a file was refused.
 * Returns {files() → [{name, type, size, data_url}], clear()}.
 */
export function mountAttachments({ form, notice }) {
  let files = [];
  const picker = el("input", { type: "file", accept: [...IMAGE_TYPES, PDF_TYPE].join(","), multiple: true, hidden: true });
  const button = el("button", { type: "button", className: "attach", "aria-label": "Attach", title: "Attach images or PDFs", text: "Attach" });
  const chips = el("ul", { className: "attachment-chips", "aria-label": "Attachments", hidden: true });
  form.querySelector(".composer-tools").append(button, picker, chips);

  const show = () => {
    chips.replaceChildren(...files.map((file) => attachmentChip(file, remove)));
    chips.hidden = files.length === 0;
  };
  function remove(file) {
    files = files.filter((other) => other !== file);
    show();
  }
  async function add(list) {
    const { accepted, refused } = admit([...list], files);
    notice.textContent = refused.map((r) => `${r.reason}.`).join(" ");
    for (const file of accepted) {
      try {
        files.push({ name: file.name, type: file.type, size: file.size, data_url: await readDataUrl(file) });
      } catch (error) {
        notice.textContent = error.message; // told, and the file is left out
      }
    }
    show();
  }

  button.addEventListener("click", () => picker.click());
  picker.addEventListener("change", () => {
    add(picker.files);
    picker.value = ""; // the same file may be chosen again after it was removed
  });
  form.addEventListener("dragover", (event) => {
    if (!event.dataTransfer?.types.includes("Files")) return;
    event.preventDefault(); // a drop is only allowed where dragover was cancelled
    form.classList.add("dropping");
  });
  form.addEventListener("dragleave", () => form.classList.remove("dropping"));
  form.addEventListener("drop", (event) => {
    form.classList.remove("dropping");
    if (!event.dataTransfer?.files.length) return;
    event.preventDefault();
    add(event.dataTransfer.files);
  });
  form.addEventListener("paste", (event) => {
    const pasted = [...(event.clipboardData?.files ?? [])];
    if (!pasted.length) return; // text pastes as text
    event.preventDefault();
    add(pasted);
  });
  return {
    files: () => [...files],
    clear() {
      files = [];
      show();
    },
  };
}

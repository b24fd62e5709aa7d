// The one element builder every page uses: el(tag, {text, className, ...attributes}, children).

/** A new element; `text` sets its text (never HTML), null/undefined/false attributes are left out, true is present. */
export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "text") node.textContent = value;
    else if (name === "className") node.className = value;
    else if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children);
  return node;
}

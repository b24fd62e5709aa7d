// The chat list as a drawer on narrow screens (app.css shows the toggle below 720 px): the toggle opens and
// closes it; opening a chat, starting one, Escape or a click outside the sidebar close it.

/** Wires the drawer of `sidebar` to `toggle` (aria-expanded tells its state); returns close(). */
export function startDrawer(sidebar, toggle) {
  const setOpen = (open) => {
    sidebar.classList.toggle("open", open);
    toggle.setAttribute("aria-expanded", String(open));
  };
  const isOpen = () => sidebar.classList.contains("open");
  const close = () => {
    if (!isOpen()) return;
    setOpen(false);
    toggle.focus();
  };
  toggle.addEventListener("click", () => setOpen(!isOpen()));
  sidebar.addEventListener("click", (event) => {
    if (event.target.closest(".thread-link, #new-chat")) setOpen(false);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !isOpen() || event.defaultPrevented) return;
    event.preventDefault(); // this Escape closed the drawer: it stops no answer (app.js)
    close();
  });
  document.addEventListener("click", (event) => {
    if (isOpen() && !sidebar.contains(event.target) && !event.target.closest("dialog")) setOpen(false);
  });
  return close;
}

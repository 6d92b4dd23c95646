// Progressive enhancement only: every page works without this file.
// A Copy button needs this script and a clipboard (a secure origin): the pages send it hidden, so
// that without them nobody sees a control that does nothing.
if (navigator.clipboard) document.querySelectorAll('[data-copy][hidden]').forEach((button) => (button.hidden = false));
document.addEventListener('click', (event) => {
  const button = event.target.closest('[data-copy]');
  if (!button || !navigator.clipboard) return;
  navigator.clipboard.writeText(button.getAttribute('data-copy')).then(() => {
    const label = button.textContent;
    button.textContent = 'Copied';
    setTimeout(() => {
      button.textContent = label;
    }, 1500);
    // The button's name stays "Copy …" (its aria-label): a screen reader hears the copy from the
    // layout's live region instead, emptied first so that copying the same value again is read again.
    const announce = document.querySelector('[data-announce]');
    if (!announce) return;
    const what = (button.getAttribute('aria-label') || '').replace(/^Copy\s*/, '');
    announce.textContent = '';
    requestAnimationFrame(() => (announce.textContent = what ? `${what} copied.` : 'Copied.'));
  });
});
// A form sent back with something to fix: its first such field has the focus, its message read with it.
const invalid = document.querySelector('main [aria-invalid="true"]');
if (invalid) invalid.focus();
// A form whose second sending would be lost (the new API key, shown once): a double click sends
// it once, so the answer the person sees is the first one. The server makes one key either way.
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!form.hasAttribute('data-send-once')) return;
  if (form.hasAttribute('data-sent')) event.preventDefault();
  else form.setAttribute('data-sent', '');
});
// A sending stopped with Esc, or a page the browser kept and showed again: its forms can go again.
const sendable = () => document.querySelectorAll('form[data-sent]').forEach((form) => form.removeAttribute('data-sent'));
document.addEventListener('keydown', (event) => event.key === 'Escape' && sendable());
window.addEventListener('pageshow', (event) => event.persisted && sendable());

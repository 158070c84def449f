// A "copy" button: <button data-copy="#id-of-the-text">; says "copied" for a moment.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.querySelector(button.dataset.copy);
  if (!source) return;
  const text = source.value !== undefined ? source.value : source.textContent.trim();
  const done = () => {
    const label = button.querySelector("[data-copy-label]") || button;
    const before = label.textContent;
    label.textContent = button.dataset.copied || "✓";
    setTimeout(() => { label.textContent = before; }, 1500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => { source.select?.(); });
  } else if (source.select) {
    source.select();
    document.execCommand("copy");
    done();
  }
});

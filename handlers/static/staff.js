// Progressive help for the staff workspace; every function works without it.
// "以建议答复为草稿" copies the suggestion into the reply box instead of reloading the page.
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-fill]");
  if (!link) {
    return;
  }
  const target = document.getElementById(link.dataset.fill);
  const source = document.getElementById(link.dataset.source);
  if (!target || !source) {
    return;
  }
  event.preventDefault();
  target.value = source.textContent.trim();
  target.focus();
});

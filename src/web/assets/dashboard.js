// Progressive enhancement only: every page works without this file.
// Filter forms submit themselves when a select changes (the button stays for keyboards and no-JS).
document.addEventListener('change', (event) => {
  const target = event.target;
  if (target instanceof HTMLSelectElement && target.form && target.form.dataset.autosubmit !== undefined) target.form.requestSubmit();
});

// « Copier le lien »: copies the answer link shown next to the button and says so to screen
// readers (the #copy-status live region). Without JavaScript the link stays selectable.
document.addEventListener("click", (event) => {
  const button = event.target.closest(".ptsm-copy");
  if (!button) return;
  const source = document.getElementById(button.dataset.copyTarget);
  const status = document.getElementById("copy-status");
  navigator.clipboard.writeText(source.textContent.trim()).then(
    () => { if (status) status.textContent = "Lien copié."; },
    () => { if (status) status.textContent = "La copie a échoué : sélectionnez le lien pour le copier."; },
  );
});

// Progressive enhancement only: every page works without this file.
// Zoom and rotation in the document viewer.
for (const viewer of document.querySelectorAll('details.viewer')) {
  /** @type {HTMLImageElement | null} */
  const image = viewer.querySelector('img.full');
  /** @type {HTMLElement | null} */
  const tools = viewer.querySelector('.tools');
  if (image === null || tools === null) continue;
  tools.hidden = false;
  let scale = 1;
  let turn = 0;
  const apply = () => {
    image.style.transform = `scale(${scale}) rotate(${turn}deg)`;
    image.style.maxWidth = scale === 1 ? '100%' : 'none';
  };
  tools.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button') : null;
    if (button === null) return;
    if (button.dataset.zoom !== undefined) scale = Math.min(6, Math.max(0.25, scale * Number(button.dataset.zoom)));
    if (button.dataset.rotate !== undefined) turn = (turn + Number(button.dataset.rotate)) % 360;
    apply();
  });
}

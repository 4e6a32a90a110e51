// The disclosure review page: select words on a document to redact them. The selection's
// page and its start and end, counted in characters as the server counts them (code points,
// not UTF-16 units), go into the "Add a redaction" form with the words shown for checking.
// Without JavaScript the same form takes the words typed, and redacts every occurrence.

function length(text) {
  return Array.from(text).length;
}

// Characters before (node, offset) within the page, leaving out the visually hidden notes
// that say "(proposed redaction)" to screen readers: they are not the document's text.
function offsetIn(page, node, offset) {
  let count = 0;
  const walker = document.createTreeWalker(page, NodeFilter.SHOW_TEXT, {
    acceptNode(text) {
      return text.parentElement.closest("[data-not-text]") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
    },
  });
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    if (text === node) return count + length(text.data.slice(0, offset));
    count += length(text.data);
  }
  return null;
}

function fill(form, page, start, end, words) {
  form.querySelector("[data-selection-page]").value = page;
  form.querySelector("[data-selection-start]").value = start;
  form.querySelector("[data-selection-end]").value = end;
  form.querySelector("[data-selection-text]").value = words;
}

export function watchSelections() {
  const form = document.querySelector("[data-redaction-add]");
  if (!form) return;
  const typed = form.querySelector("[data-selection-text]");
  // Typing the words by hand means every occurrence, not the selection.
  typed.addEventListener("input", () => fill(form, "", "", "", typed.value));
  document.addEventListener("selectionchange", () => {
    const selection = document.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return;
    const range = selection.getRangeAt(0);
    const page = range.startContainer.parentElement?.closest("[data-redaction-page]");
    const endPage = range.endContainer.parentElement?.closest("[data-redaction-page]");
    if (!page || page !== endPage || range.startContainer.nodeType !== Node.TEXT_NODE || range.endContainer.nodeType !== Node.TEXT_NODE) return;
    const start = offsetIn(page, range.startContainer, range.startOffset);
    const end = offsetIn(page, range.endContainer, range.endOffset);
    if (start === null || end === null || end <= start) return;
    fill(form, page.getAttribute("data-redaction-page"), start, end, selection.toString());
  });
}

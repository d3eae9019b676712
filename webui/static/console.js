// takedown console: keyboard shortcuts. Every page works without this file.
//   j / k   next / previous row of a list (Enter opens it)
//   /       the list's filter
//   a       on a review item: justified; n: the note
document.addEventListener('keydown', function (e) {
  if (e.ctrlKey || e.metaKey || e.altKey || (e.target.closest && e.target.closest('input, textarea, select'))) return;
  var links = Array.prototype.slice.call(document.querySelectorAll('table.list tbody tr td:first-child a'));
  var i = links.indexOf(document.activeElement);
  var go = function (el) { if (el) { el.focus(); e.preventDefault(); } };
  switch (e.key) {
    case 'j': go(links[i + 1] || links[0]); break;
    case 'k': go(links[i - 1] || links[links.length - 1]); break;
    case '/': go(document.querySelector('.filters input[type=text]')); break;
    case 'n': go(document.getElementById('note')); break;
    case 'a':
      var approve = document.getElementById('verdict-approve');
      if (approve) { e.preventDefault(); approve.click(); }
      break;
  }
});

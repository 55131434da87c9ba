// The dashboard's few enhancements. Every page works without them:
// - forms marked data-confirm ask before something that cannot be undone;
// - a sent form's buttons are disabled, so a double click does not act twice;
// - a form sent back with mistakes puts the cursor on the first one;
// - the invoice form gets an "Add another line" button;
// - the overview's payment list refreshes itself and announces new payments politely.
(function () {
  "use strict";

  document.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var question = form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) { event.preventDefault(); return; }
      // After this turn, so the pressed button's name and value are still sent.
      window.setTimeout(function () {
        form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = true; });
      }, 0);
    });
  });
  // Coming back with the browser's Back button restores the page as it was left: sendable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.querySelectorAll("button[type=submit][disabled]").forEach(function (button) { button.disabled = false; });
  });

  // A form sent back with mistakes: start where the first one is, not at the top of a long page.
  var firstMistake = document.querySelector("[aria-invalid='true']");
  if (firstMistake) { firstMistake.focus(); }

  // Add another line: copy the empty row from its <template> and count it in the formset.
  var addLine = document.getElementById("add-line");
  var template = document.getElementById("line-row-template");
  var rows = document.getElementById("line-rows");
  var total = document.getElementById("id_lines-TOTAL_FORMS");
  var maximum = document.getElementById("id_lines-MAX_NUM_FORMS");
  if (addLine && template && rows && total) {
    addLine.hidden = false;
    addLine.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (maximum && index >= parseInt(maximum.value, 10)) { return; }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.querySelector("fieldset");
      row.querySelector("legend").textContent = addLine.getAttribute("data-line-legend").replace("__number__", String(index + 1));
      rows.appendChild(row);
      total.value = String(index + 1);
      var quantity = row.querySelector("input[name$='-quantity']");
      if (quantity && !quantity.value) { quantity.value = "1"; }
      row.querySelector("input").focus();
      var announcer = document.getElementById("line-announcer");
      if (announcer) { announcer.textContent = addLine.getAttribute("data-added-text"); }
    });
  }

  // The live list of payments on the overview.
  var live = document.getElementById("latest-payments");
  if (!live) { return; }
  var pollUrl = live.getAttribute("data-poll-url");
  var interval = parseInt(live.getAttribute("data-poll-interval"), 10) || 5000;
  var body = document.getElementById("latest-payments-rows");
  var empty = document.getElementById("latest-payments-empty");
  var announcer = document.getElementById("payment-announcer");
  var known = {};
  body.querySelectorAll("tr[data-payment-id]").forEach(function (row) {
    known[row.getAttribute("data-payment-id")] = true;
  });
  var timer = null;

  function cell(tag, text, className) {
    var element = document.createElement(tag);
    element.textContent = text;
    if (className) { element.className = className; }
    return element;
  }

  function rowFor(payment, isNew) {
    var row = document.createElement("tr");
    row.setAttribute("data-payment-id", payment.id);
    if (isNew) { row.className = "is-new"; }
    row.appendChild(cell("td", payment.time));
    var heading = document.createElement("th");
    heading.setAttribute("scope", "row");
    var link = cell("a", payment.customer || "—");
    link.href = payment.url;
    heading.appendChild(link);
    row.appendChild(heading);
    row.appendChild(cell("td", payment.invoice));
    row.appendChild(cell("td", payment.amount, "number"));
    row.appendChild(cell("td", payment.method));
    var status = document.createElement("td");
    status.appendChild(cell("span", payment.status_text, "status status-" + payment.status));
    row.appendChild(status);
    return row;
  }

  function show(data) {
    var news = [];
    var fragment = document.createDocumentFragment();
    data.payments.forEach(function (payment) {
      var isNew = !(payment.id in known);
      if (isNew) { news.push(payment.announcement); }
      fragment.appendChild(rowFor(payment, isNew));
    });
    // Keep the focused link (if any) so refreshing never steals a keyboard user's place.
    var focusedId = document.activeElement && body.contains(document.activeElement)
      ? document.activeElement.closest("tr").getAttribute("data-payment-id") : null;
    body.replaceChildren(fragment);
    if (focusedId) {
      var again = body.querySelector("tr[data-payment-id='" + focusedId + "'] a");
      if (again) { again.focus(); }
    }
    known = {};
    data.payments.forEach(function (payment) { known[payment.id] = true; });
    empty.hidden = data.payments.length > 0;
    document.getElementById("today-count").textContent = data.today.count_text;
    var amounts = document.getElementById("today-amounts");
    amounts.replaceChildren.apply(amounts, data.today.amounts.map(function (text) { return cell("li", text); }));
    if (news.length) { announcer.textContent = news.join(" "); }
  }

  function poll() {
    timer = null;
    if (document.hidden) { return; }
    fetch(pollUrl, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        // Logged out or no longer allowed: stop asking rather than retry forever.
        if (response.status === 401 || response.status === 403) { return null; }
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        if (data === null) { return; }
        show(data);
        schedule(interval);
      })
      .catch(function () { schedule(interval * 3); });
  }

  function schedule(delay) {
    if (timer === null) { timer = window.setTimeout(poll, delay); }
  }

  // A hidden tab does not ask; coming back asks at once.
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      if (timer !== null) { window.clearTimeout(timer); timer = null; }
      poll();
    }
  });
  schedule(interval);
})();

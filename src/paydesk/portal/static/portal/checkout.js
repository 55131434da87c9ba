// The card form: format as typed, show the card brand, check fields before sending,
// and keep the Pay button's amount in step with "Pay another amount". Works without it.
(function () {
  "use strict";
  // "Copy" buttons next to the bank details put the text on the clipboard.
  Array.prototype.forEach.call(document.querySelectorAll(".copy-button[data-copy]"), function (button) {
    button.addEventListener("click", function () {
      var source = document.getElementById(button.getAttribute("data-copy"));
      if (!source || !navigator.clipboard) { return; }
      navigator.clipboard.writeText(source.textContent.replace(/\s+/g, source.id === "transfer-iban" ? "" : " ").trim()).then(function () {
        var original = button.textContent;
        button.textContent = button.getAttribute("data-copied");
        setTimeout(function () { button.textContent = original; }, 2000);
      });
    });
  });
})();

(function () {
  "use strict";
  var form = document.querySelector("form.card-form[data-pay-label]");
  if (!form) { return; }
  var number = form.querySelector("#card_number");
  var expiry = form.querySelector("#expiry");
  var code = form.querySelector("#security_code");
  var amount = form.querySelector("#amount");
  var button = form.querySelector("#pay-button");
  var brandLabel = form.querySelector("#card_number-brand");
  // After a refused payment, bring the explanation (or the first wrong field) into view.
  var failure = document.getElementById("payment-failure") || form.querySelector("[aria-invalid=true]");
  if (failure) { failure.focus(); }
  var names = { visa: "Visa", mastercard: "Mastercard", amex: "American Express", mir: "Mir", discover: "Discover", jcb: "JCB", unionpay: "UnionPay" };

  function digits(text) { return (text || "").replace(/\D+/g, ""); }

  function brandOf(value) {
    if (/^4/.test(value)) { return "visa"; }
    if (/^3[47]/.test(value)) { return "amex"; }
    if (/^(5[1-5]|2(2[2-9][1-9]|2[3-9]\d|[3-6]\d\d|7[01]\d|720))/.test(value)) { return "mastercard"; }
    if (/^220[0-4]/.test(value)) { return "mir"; }
    if (/^(6011|65)/.test(value)) { return "discover"; }
    if (/^35(2[89]|[3-8])/.test(value)) { return "jcb"; }
    if (/^62/.test(value)) { return "unionpay"; }
    return "";
  }

  function luhn(value) {
    var sum = 0;
    for (var i = 0; i < value.length; i++) {
      var digit = +value.charAt(value.length - 1 - i);
      if (i % 2 === 1) { digit *= 2; if (digit > 9) { digit -= 9; } }
      sum += digit;
    }
    return value.length >= 12 && sum % 10 === 0;
  }

  function groups(value, brand) {
    var sizes = brand === "amex" ? [4, 6, 5] : [4, 4, 4, 4, 3];
    var parts = [], start = 0;
    for (var i = 0; i < sizes.length && start < value.length; i++) {
      parts.push(value.substr(start, sizes[i]));
      start += sizes[i];
    }
    return parts.join(" ");
  }

  function showError(input, message) {
    var box = form.querySelector("#" + input.id + "-error");
    if (!box) { return; }
    box.textContent = message || "";
    box.hidden = !message;
    input.closest(".field").classList.toggle("has-error", !!message);
    if (message) {
      input.setAttribute("aria-invalid", "true");
      var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (described.indexOf(box.id) < 0) { described.push(box.id); }
      input.setAttribute("aria-describedby", described.join(" "));
    } else {
      input.removeAttribute("aria-invalid");
    }
  }

  number.addEventListener("input", function () {
    var value = digits(number.value).slice(0, 19);
    var brand = brandOf(value);
    number.value = groups(value, brand);
    brandLabel.textContent = names[brand] || "";
    code.maxLength = brand === "amex" ? 4 : 3;
  });

  expiry.addEventListener("input", function (event) {
    var value = digits(expiry.value).slice(0, 4);
    if (value.length === 1 && value > "1") { value = "0" + value; }
    var deleting = event.inputType && event.inputType.indexOf("delete") === 0;
    expiry.value = value.length >= 2 && !(deleting && value.length === 2) ? value.slice(0, 2) + "/" + value.slice(2) : value;
  });

  code.addEventListener("input", function () { code.value = digits(code.value).slice(0, 4); });

  function parseAmount(text) {
    var cleaned = (text || "").replace(/[\s\u00a0]/g, "").replace(",", ".");
    return /^\d+(\.\d{1,2})?$/.test(cleaned) ? cleaned : "";
  }

  function updateButton() {
    var label = form.getAttribute("data-pay-label");
    var chosen = amount && parseAmount(amount.value);
    if (!chosen) { button.textContent = label + " " + button.getAttribute("data-full-amount"); return; }
    try {
      var text = new Intl.NumberFormat(form.getAttribute("data-locale"), {
        style: "currency", currency: form.getAttribute("data-currency").toUpperCase()
      }).format(Number(chosen));
      button.textContent = label + " " + text;
    } catch (error) {
      button.textContent = label + " " + chosen;
    }
  }
  if (amount) { amount.addEventListener("input", updateButton); updateButton(); }

  form.addEventListener("submit", function (event) {
    var problems = [];
    var value = digits(number.value);
    var okNumber = luhn(value);
    showError(number, okNumber ? "" : form.getAttribute("data-message-card-number"));
    if (!okNumber) { problems.push(number); }
    var parts = expiry.value.split("/");
    var month = +parts[0];
    var okExpiry = parts.length === 2 && month >= 1 && month <= 12 && /^\d{2}$/.test(parts[1]);
    showError(expiry, okExpiry ? "" : form.getAttribute("data-message-expiry"));
    if (!okExpiry) { problems.push(expiry); }
    var okCode = /^\d{3,4}$/.test(code.value);
    showError(code, okCode ? "" : form.getAttribute("data-message-security-code"));
    if (!okCode) { problems.push(code); }
    if (problems.length) { event.preventDefault(); problems[0].focus(); return; }
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
  });
})();

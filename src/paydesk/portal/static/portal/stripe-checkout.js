// Stripe's Payment Element: Stripe's own fields (cards, Apple Pay, Google Pay) in frames
// from js.stripe.com; confirming sends the payer to Stripe (and 3-D Secure when needed),
// then back to Paydesk's return address, which reads the outcome from Stripe.
(function () {
  "use strict";
  var form = document.getElementById("stripe-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(form.getAttribute("data-publishable-key"), { locale: form.getAttribute("data-locale") });
  var elements = stripe.elements({ clientSecret: form.getAttribute("data-client-secret") });
  var target = document.getElementById("payment-element");
  target.textContent = "";
  elements.create("payment").mount(target);
  var button = document.getElementById("stripe-pay-button");
  var error = document.getElementById("stripe-error");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    stripe.confirmPayment({ elements: elements, confirmParams: { return_url: form.getAttribute("data-return-url") } })
      .then(function (result) {
        // Only reached when the payment did not go ahead. A field the payer can fix
        // keeps this attempt; a decline ends it (Stripe records it as failed), so the next
        // try starts a fresh payment from the invoice page.
        if (result.error) {
          error.textContent = result.error.message;
          error.hidden = false;
          if (result.error.type === "validation_error") {
            button.disabled = false;
          } else {
            document.getElementById("stripe-try-again").hidden = false;
          }
        }
      });
  });
})();

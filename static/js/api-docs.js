// Starts Swagger UI on /api/v1/docs/ with the schema address the page gives in a data attribute:
// a static file, as the CSP allows no inline script.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    domNode: root,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    // The API is read-only; and no badge from the external validator (validator.swagger.io).
    supportedSubmitMethods: ["get", "head"],
    validatorUrl: null,
  });
})();

// Starts swagger-ui on the hub's own OpenAPI document: a file, not an inline script, so the
// site's Content-Security-Policy (script-src 'self') needs no exception.
window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    tryItOutEnabled: false,
  });
});

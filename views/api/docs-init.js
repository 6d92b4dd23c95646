// Starts swagger-ui on the hub's own OpenAPI document: a file, not an inline script, so the
// site's Content-Security-Policy (script-src 'self') needs no exception.
window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    tryItOutEnabled: false,
    // A problem's `type` (/api/docs#problem-…) points into the list of problem types, which
    // exists only once swagger-ui has drawn the document (and made the hash #/problem-…).
    onComplete: () => {
      const id = location.hash.replace(/^#\/?/, '');
      if (id.startsWith('problem-')) document.getElementById(id)?.scrollIntoView();
    },
  });
});

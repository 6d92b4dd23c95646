// Starts swagger-ui on the hub's own OpenAPI document: a file, not an inline script, so the
// site's Content-Security-Policy (script-src 'self') needs no exception. The reference at
// <api>/docs draws <api>/v1/openapi.json: /api/docs the partners', /api/operator/docs the
// operator API's.
if (location.pathname.startsWith('/api/operator/')) document.title = 'Partner Hub operator API reference';
window.addEventListener('load', () => {
  window.ui = SwaggerUIBundle({
    url: location.pathname.replace(/\/docs\/?$/, '/v1/openapi.json'),
    dom_id: '#swagger-ui',
    deepLinking: true,
    tryItOutEnabled: false,
    // A problem's `type` (/api/docs#problem-…, /api/operator/docs#problem-…) points into the
    // list of problem types, which exists only once swagger-ui has drawn the document (and made
    // the hash #/problem-…).
    onComplete: () => {
      const id = location.hash.replace(/^#\/?/, '');
      if (id.startsWith('problem-')) document.getElementById(id)?.scrollIntoView();
    },
  });
});

import type request from 'supertest';

type Agent = ReturnType<typeof request.agent>;

/** The CSRF token of the form in a rendered page. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no CSRF token in the page');
  return match[1];
}

/** GETs a page and returns its CSRF token (the agent keeps the session cookie). */
export async function csrfOf(agent: Agent, path: string): Promise<string> {
  const res = await agent.get(path);
  return csrfFrom(res.text);
}

/** Posts a form the way a browser does: with the page's CSRF token. */
export async function postForm(agent: Agent, path: string, fields: Record<string, string>, tokenFrom = path) {
  const _csrf = await csrfOf(agent, tokenFrom);
  return agent
    .post(path)
    .type('form')
    .send({ _csrf, ...fields });
}

/** Signs in through the real login form. */
export async function signIn(agent: Agent, email: string, password: string) {
  const res = await postForm(agent, '/login', { email, password });
  if (res.status !== 303) throw new Error(`sign-in failed with ${res.status}`);
  return res;
}

/** The dashboard API, from the browser. The token (if any) travels in a cookie. */

export class ApiError extends Error {
  constructor(message, status, hint) {
    super(message);
    this.status = status;
    this.hint = hint ?? null;
  }
}

async function request(path, as) {
  const response = await fetch(path, { headers: { accept: as === 'text' ? 'text/plain' : 'application/json' } });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    let hint = null;
    try {
      const body = await response.json();
      message = body.error ?? message;
      hint = body.hint ?? null;
    } catch {
      // not JSON
    }
    throw new ApiError(message, response.status, hint);
  }
  return as === 'text' ? { text: await response.text(), omitted: Number(response.headers.get('x-autolab-omitted-bytes') ?? 0) } : response.json();
}

const studyPath = (study) => `/api/studies/${encodeURIComponent(study)}`;

export const api = {
  studies: () => request('/api/studies'),
  overview: (study) => request(studyPath(study)),
  timeline: (study) => request(`${studyPath(study)}/timeline`),
  fidelity: (study) => request(`${studyPath(study)}/fidelity`),
  trials: (study, params) => request(`${studyPath(study)}/trials?${new URLSearchParams(params)}`),
  trial: (study, id) => request(`${studyPath(study)}/trials/${id}`),
  log: (study, id, name) => request(`${studyPath(study)}/trials/${id}/logs/${encodeURIComponent(name)}`, 'text'),
  diff: (study, id, against) => request(`${studyPath(study)}/trials/${id}/diff?against=${encodeURIComponent(against)}`),
  lineage: (study, expand = []) => request(`${studyPath(study)}/lineage${expand.length > 0 ? `?expand=${expand.join(',')}` : ''}`),
  knobs: (study) => request(`${studyPath(study)}/knobs`),
  incumbent: (study) => request(`${studyPath(study)}/incumbent`),
  front: (study) => request(`${studyPath(study)}/front`),
  sessions: (study) => request(`${studyPath(study)}/sessions`),
  session: (study, id) => request(`${studyPath(study)}/sessions/${encodeURIComponent(id)}`),
  trialSession: (study, id) => request(`${studyPath(study)}/trials/${id}/session`),
  eventsUrl: (study, after) => `${studyPath(study)}/events${after ? `?after=${after}` : ''}`,
};

// The fixture check itself (tests/openapi.js via helpers.apiAnswer / apiError): a fixture that
// matches passes through, one that drifts fails with what differs.
const { apiAnswer, apiError } = require('./helpers')

const ME = { kind: 'wx', id: 7, display_name: null, roles: [] }

test('a matching body is returned as the answer; literal paths find their template', () => {
  expect(apiAnswer('GET', '/me', 200, ME)).toEqual({ statusCode: 200, data: ME })
  expect(apiAnswer('get', '/me/complaints', 200, [])).toEqual({ statusCode: 200, data: [] })
  expect(apiAnswer('POST', '/auth/logout', 204)).toEqual({ statusCode: 204, data: '' })
})

test('unknown fields, missing required ones and wrong types fail with a readable message', () => {
  expect(() => apiAnswer('GET', '/me', 200, { ...ME, nickname: '老王' }))
    .toThrow(/GET \/me → 200 does not match MeOut[\s\S]*must NOT have additional properties: "nickname"/)
  expect(() => apiAnswer('GET', '/me', 200, { ...ME, id: '7' })).toThrow(/\/id must be integer/)
  expect(() => apiAnswer('GET', '/me', 401, { error: { code: 'unauthenticated' } }))
    .toThrow(/\/error must have required property 'message'/)
})

test('null only where the schema allows it; times need their offset', () => {
  expect(() => apiAnswer('GET', '/me', 200, { ...ME, display_name: null })).not.toThrow()
  expect(() => apiAnswer('GET', '/me', 200, { ...ME, kind: null })).toThrow(/\/kind must be string/)
  const session = { token: 't', expires_at: '2030-01-01T08:00:00', me: ME }
  expect(() => apiAnswer('POST', '/auth/wx-login', 200, session)).toThrow(/expires_at must match format "date-time"/)
})

test('an operation or status the API does not have fails', () => {
  expect(() => apiAnswer('GET', '/me/nothing-here', 200, {})).toThrow(/the API has no such operation/)
  expect(() => apiAnswer('DELETE', '/me', 200, {})).toThrow(/no such operation/)
  expect(() => apiAnswer('GET', '/me', 202, {})).toThrow(/does not answer 202 \(documented: 200, 401, 403\)/)
  expect(() => apiAnswer('GET', '/me', 409, { detail: 'conflict' })).toThrow(/GET \/me → 409: Error fixture/)
  expect(() => apiAnswer('POST', '/auth/logout', 204, { ok: true })).toThrow(/no JSON body/)
})

test('error bodies follow the one Error schema', () => {
  expect(apiError(409, 'case_changed', '已被他人处理')).toEqual({
    statusCode: 409, data: { error: { code: 'case_changed', message: '已被他人处理' } },
  })
  expect(() => apiError(409, 42, '已被他人处理')).toThrow(/Error schema[\s\S]*\/error\/code must be string/)
  expect(() => apiError(409, 'teapot', '茶壶', null, { method: 'GET', path: '/nowhere' })).toThrow(/no such operation/)
})

test('every answer installWx gives is checked; a bad one fails the test even if the page swallows it', async () => {
  const { installWx } = require('./helpers')
  const { wx } = installWx(() => ({ statusCode: 200, data: { nickname: '老王' } }))
  const thrown = []
  const keep = event => { thrown.push(event.error); event.preventDefault() } // here we want it
  window.addEventListener('error', keep)
  const success = jest.fn()
  wx.request({ url: 'http://127.0.0.1:5000/api/v1/me?x=1', method: 'GET', success, fail: success })
  await new Promise(resolve => setTimeout(resolve, 20))
  window.removeEventListener('error', keep)

  expect(success).not.toHaveBeenCalled() // the page never gets an answer the API would not give
  expect(thrown[0].message).toMatch(/GET \/me → 200 does not match MeOut[\s\S]*"nickname"/)
  expect(global.__badFixtureAnswers).toHaveLength(1) // what tests/setup.js fails the test with
  global.__badFixtureAnswers = []
})

test('downloads are checked too: the operation must exist and answer a file', async () => {
  const { installWx } = require('./helpers')
  installWx(() => ({ statusCode: 200 }), { token: 'tok' })
  const { download } = require('../utils/request')
  await expect(download({ url: '/complaint-photos/7/image' })).resolves.toMatch(/^wxfile:\/\/tmp\//)
  expect(global.__badFixtureAnswers || []).toEqual([])

  const thrown = []
  const keep = event => { thrown.push(event.error); event.preventDefault() }
  window.addEventListener('error', keep)
  download({ url: '/photos/7' })
  await new Promise(resolve => setTimeout(resolve, 20))
  window.removeEventListener('error', keep)
  expect(thrown[0].message).toMatch(/GET \/photos\/7 → 200: the API has no such operation/)
  global.__badFixtureAnswers = []
})

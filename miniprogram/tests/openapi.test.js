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
  expect(() => apiAnswer('POST', '/auth/wx-login', 200, { token: 't', me: ME })).toThrow(/expires_at/)
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
  expect(() => apiAnswer('GET', '/me', 418, {})).toThrow(/does not answer 418 \(documented: 200, 401, 403\)/)
  expect(() => apiAnswer('POST', '/auth/logout', 204, { ok: true })).toThrow(/no JSON body/)
})

test('error bodies follow the one Error schema', () => {
  expect(apiError(409, 'case_changed', '已被他人处理')).toEqual({
    statusCode: 409, data: { error: { code: 'case_changed', message: '已被他人处理' } },
  })
  expect(() => apiError(409, 42, '已被他人处理')).toThrow(/Error schema[\s\S]*\/error\/code must be string/)
  expect(() => apiError(418, 'teapot', '茶壶', null, { method: 'GET', path: '/me' })).toThrow(/does not answer 418/)
})

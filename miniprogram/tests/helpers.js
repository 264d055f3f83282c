// Test doubles for the parts of `wx` the code uses. Callbacks fire asynchronously, as on a phone.
const FAIL = Symbol('network failure')

// route(options, calls) → {statusCode, data} or FAIL, for every wx.request.
function installWx(route, { token } = {}) {
  const storage = {}
  if (token) storage.mingjing_token = token
  const later = fn => setTimeout(fn, 0)
  global.wx = {
    request: jest.fn(opts => {
      later(() => {
        const res = route(opts)
        if (res === FAIL) opts.fail({ errMsg: 'request:fail net::ERR_CONNECTION_REFUSED' })
        else opts.success(Object.assign({ header: {} }, res))
      })
    }),
    login: jest.fn(opts => {
      const n = global.wx.login.mock.calls.length
      later(() => opts.success({ code: 'wx-code-' + n, errMsg: 'login:ok' }))
    }),
    getStorageSync: jest.fn(key => (key in storage ? storage[key] : '')),
    setStorageSync: jest.fn((key, value) => { storage[key] = value }),
    removeStorageSync: jest.fn(key => { delete storage[key] }),
    showToast: jest.fn(),
    showModal: jest.fn(),
    reLaunch: jest.fn(),
    navigateTo: jest.fn(),
  }
  return { wx: global.wx, storage }
}

// The backend's error body.
function apiError(statusCode, code, message, fields) {
  const error = { code, message }
  if (fields) error.fields = fields
  return { statusCode, data: { error } }
}

function bearer(opts) {
  return (opts.header && opts.header.Authorization) || ''
}

function isLogin(opts) {
  return opts.url.endsWith('/auth/wx-login')
}

// A /auth/wx-login answer handing out `token`.
function session(token, roles = []) {
  return {
    statusCode: 200,
    data: {
      token,
      expires_at: '2030-01-01T08:00:00+08:00',
      me: { kind: 'wx', id: 7, display_name: null, roles },
    },
  }
}

async function waitFor(predicate, timeoutMs = 2000) {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('waitFor: timed out')
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

module.exports = { FAIL, installWx, apiError, bearer, isLogin, session, waitFor }

// Test doubles for the parts of `wx` the code uses. Callbacks fire asynchronously, as on a phone.
const FAIL = Symbol('network failure')

// route(options) → {statusCode, data} or FAIL, for every wx.request, wx.uploadFile (whose
// options have `filePath` and whose answer WeChat hands over as text) and wx.downloadFile (method
// GET; answer {statusCode} only, its body being a file). GET /subscribe-templates is
// answered here with `templates` (SubscribeTemplateOut items; none configured unless a test says).
// wx.getAccountInfoSync answers `envVersion` (develop: DevTools, as config.js expects in tests).
// Every answer is checked against the backend's OpenAPI document by the request's own method and
// path (see apiAnswer): a fixture the API would never send fails the test. `checkAnswers: false`
// only for tests of the request wrapper itself, which answer with what no API sends (a proxy's
// HTML page, an empty 502).
function installWx(route, { token, household, templates = [], checkAnswers = true, envVersion = 'develop' } = {}) {
  const answer = opts => {
    const res = route(opts)
    if (checkAnswers && res !== FAIL) checkRequestAnswer(opts, res)
    return res
  }
  const storage = {}
  if (token) storage.mingjing_token = token
  if (household) storage.mingjing_household_code = household
  const later = fn => setTimeout(fn, 0)
  global.wx = {
    request: jest.fn(opts => {
      later(() => {
        const res = opts.url.endsWith('/subscribe-templates') ? apiAnswer('GET', '/subscribe-templates', 200, templates) : answer(opts)
        if (res === FAIL) opts.fail({ errMsg: 'request:fail net::ERR_CONNECTION_REFUSED' })
        else opts.success(Object.assign({ header: {} }, res))
      })
    }),
    uploadFile: jest.fn(opts => {
      later(() => {
        const res = answer(opts)
        if (res === FAIL) opts.fail({ errMsg: 'uploadFile:fail timeout' })
        else opts.success({ statusCode: res.statusCode, data: typeof res.data === 'string' ? res.data : JSON.stringify(res.data) })
      })
    }),
    // wx.downloadFile: `route` answers {statusCode} (the file's body is not JSON); the temp path is made up.
    downloadFile: jest.fn(opts => {
      later(() => {
        const res = answer(Object.assign({ method: 'GET' }, opts))
        if (res === FAIL) opts.fail({ errMsg: 'downloadFile:fail timeout' })
        else opts.success({ statusCode: res.statusCode, tempFilePath: res.tempFilePath || 'wxfile://tmp/download-' + global.wx.downloadFile.mock.calls.length })
      })
    }),
    login: jest.fn(opts => {
      const n = global.wx.login.mock.calls.length
      later(() => opts.success({ code: 'wx-code-' + n, errMsg: 'login:ok' }))
    }),
    getAccountInfoSync: jest.fn(() => ({ miniProgram: { appId: 'touristappid', envVersion } })), // config.js
    getStorageSync: jest.fn(key => (key in storage ? storage[key] : '')),
    setStorageSync: jest.fn((key, value) => { storage[key] = value }),
    removeStorageSync: jest.fn(key => { delete storage[key] }),
    showToast: jest.fn(),
    showModal: jest.fn(),
    reLaunch: jest.fn(),
    navigateTo: jest.fn(),
    redirectTo: jest.fn(),
    stopPullDownRefresh: jest.fn(),
    previewImage: jest.fn(),
    chooseMedia: jest.fn(),
    chooseLocation: jest.fn(),
    requestSubscribeMessage: jest.fn(opts => later(() => opts.success({ errMsg: 'requestSubscribeMessage:ok' }))),
  }
  return { wx: global.wx, storage }
}

// The path below /api/v1 of a request's URL, without the query.
function apiPath(url) {
  const path = url.replace(/^https?:\/\/[^/]+/, '').split('?')[0]
  return path.startsWith('/api/v1/') ? path.slice('/api/v1'.length) : path
}

// An answer given to a request: checked as the answer of the request's method and path. A check
// that fails is thrown where the page called wx.request (so the page sees it as an error) and is
// also kept, so that the test fails even when the page swallowed it (tests/setup.js; kept on
// `global`: jest.resetModules() gives each test new copies of this module).
function checkRequestAnswer(opts, res) {
  const method = opts.filePath ? 'POST' : (opts.method || 'GET')
  try {
    require('./openapi').checkAnswer(method, apiPath(opts.url), res.statusCode, res.data)
  } catch (err) {
    ;(global.__badFixtureAnswers = global.__badFixtureAnswers || []).push(err)
    throw err
  }
}

// A success answer of the API, checked against the backend's OpenAPI document (tests/openapi.js):
//   apiAnswer('GET', '/me/complaints/41', 200, body)          → { statusCode: 200, data: body }
//   apiAnswer('GET', '/h/{code}/disclosures/{disclosure_id}', 200, body)
//   apiAnswer('POST', '/auth/logout', 204)                    → { statusCode: 204, data: '' }
// The path is the mini-program's (below /api/v1), literal or as the document's template. The body
// must match the response schema of that operation and status (unknown fields, missing required
// ones, wrong types, null where not nullable, times without offset all fail), else the test fails
// with what differs. Call it where the fixture is answered, so a drifting fixture fails the test.
function apiAnswer(method, path, statusCode, body) {
  require('./openapi').checkAnswer(method, path, statusCode, body)
  return { statusCode, data: body === undefined || body === null ? '' : body }
}

// The backend's error body (checked against the document's Error schema). Pass `method` and
// `path` to also check that the operation documents the status: apiError(409, …, { method, path }).
function apiError(statusCode, code, message, fields, operation) {
  const error = { code, message }
  if (fields) error.fields = fields
  const openapi = require('./openapi')
  if (operation) openapi.checkAnswer(operation.method, operation.path, statusCode, { error })
  else openapi.checkError({ error })
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
  return apiAnswer('POST', '/auth/wx-login', 200, {
    token,
    expires_at: '2030-01-01T08:00:00+08:00',
    me: { kind: 'wx', id: 7, display_name: null, roles },
  })
}

// Loads a page (or component) with miniprogram-simulate, attached and loaded with `options`.
// Call installWx first: simulate merges its own wx API under ours.
function openPage(page, options) {
  const path = require('path')
  const simulate = require('miniprogram-simulate')
  const root = path.resolve(__dirname, '..')
  const comp = simulate.render(simulate.load(path.join(root, page), { rootPath: root }))
  comp.attach(document.createElement('parent-wrapper'))
  if (comp.instance.onLoad) comp.instance.onLoad(options || {})
  return comp
}

// Text of the first node matching `selector` (null when absent), and of all of them.
function text(comp, selector) {
  const node = comp.querySelector(selector)
  return node ? node.dom.textContent.replace(/\s+/g, ' ').trim() : null
}

function texts(comp, selector) {
  return comp.querySelectorAll(selector).map(n => n.dom.textContent.replace(/\s+/g, ' ').trim())
}

// miniprogram-simulate delivers events in a microtask, as a phone does after the touch: these
// dispatch, then let the handler run (its synchronous part) before returning.
const handled = () => new Promise(resolve => setTimeout(resolve, 0))

async function tap(comp, selector, index = 0) {
  const node = comp.querySelectorAll(selector)[index]
  if (!node) throw new Error('nothing to tap: ' + selector)
  node.dispatchEvent('tap')
  await handled()
}

// Types into an input or textarea (its bindinput handler gets detail.value).
async function type(comp, selector, value) {
  const node = comp.querySelector(selector)
  if (!node) throw new Error('nothing to type into: ' + selector)
  node.dispatchEvent('input', { detail: { value } })
  await handled()
}

async function waitFor(predicate, timeoutMs = 5000) { // generous: the build machines are shared
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error('waitFor: timed out')
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

// Pages on behaviors/page-load.js: wait until the load settled (content, error or empty shown), and
// the <page-state> part of the page (query .msg-error, .retry-btn, .msg-empty, .state-loading in it).
function loaded(comp, timeoutMs) {
  return waitFor(() => comp.data.view && !comp.data.view.loading, timeoutMs)
}

function pageState(comp) {
  // Selectors stop at a component's boundary (classes and ids only): find the one child component
  // whose own tree holds page-state's root, and wrap it like miniprogram-simulate's query results.
  const found = []
  const walk = node => {
    if (node.shadowRoot && node.shadowRoot.querySelector && node.shadowRoot.querySelector('.page-state')) found.push(node)
    ;(node.childNodes || []).forEach(walk)
  }
  walk(comp._exparserNode.shadowRoot)
  if (found.length !== 1) throw new Error(`expected one <page-state> on the page, found ${found.length}`)
  const base = Object.getPrototypeOf(comp.constructor) // j-component's Component, RootComponent's base
  const Wrapper = base === Function.prototype ? comp.constructor : base
  return new Wrapper(found[0])
}

// WeChat asking the page `comp` for privacy consent (wx.onNeedPrivacyAuthorization, as
// utils/privacy.js installs it) on behalf of `referrer`; returns WeChat's `resolve` (a jest.fn) to
// check what the page's panel told it. Call `delete global.getCurrentPages` at the end.
function askPrivacy(comp, referrer) {
  const privacy = require('../utils/privacy')
  const resolve = jest.fn()
  global.wx.onNeedPrivacyAuthorization = jest.fn()
  global.getCurrentPages = () => [comp.instance]
  privacy.install()
  const [handler] = global.wx.onNeedPrivacyAuthorization.mock.calls[0]
  handler(resolve, { referrer })
  return resolve
}

module.exports = { FAIL, askPrivacy, installWx, apiAnswer, apiError, loaded, pageState, bearer, isLogin, session, waitFor, openPage, text, texts, tap, type }

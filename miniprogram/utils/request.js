// THE request wrapper. No other module calls wx.request.
//
//   request({ url: '/me' })                                  → Promise of the JSON body
//   request({ url: '/auth/invitations/accept', method: 'POST', data: { token } })
//
// - `url` is relative to config.API_BASE_URL (or absolute, starting with http).
// - Adds `Authorization: Bearer <token>` when a token is stored.
// - On 401 it logs in again silently ONCE (wx.login → POST /auth/wx-login → store the token) and
//   retries the original request once. A second 401 rejects: no loops.
// - Concurrent 401s share one login (one in-flight login promise).
// - Non-2xx → rejects with ApiError {status, code, message (the server's Chinese text), fields};
//   no response at all → ApiError code `network_error`.
const config = require('../config')
const { ApiError, networkError } = require('./errors')

// ---- token storage ----
function getToken() {
  try {
    return wx.getStorageSync(config.TOKEN_STORAGE_KEY) || ''
  } catch (e) {
    return ''
  }
}

function setToken(token) {
  wx.setStorageSync(config.TOKEN_STORAGE_KEY, token)
}

function clearToken() {
  try {
    wx.removeStorageSync(config.TOKEN_STORAGE_KEY)
  } catch (e) {
    // storage unavailable: nothing to forget
  }
}

// ---- one HTTP exchange, no retry ----
const FALLBACK_ERRORS = {
  401: ['unauthenticated', '请先登录'],
  403: ['forbidden', '您没有权限进行此操作'],
  404: ['not_found', '找不到要访问的内容'],
  429: ['rate_limited', '操作太频繁，请稍后再试'],
}

function errorFromResponse(statusCode, body) {
  const e = body && typeof body === 'object' ? body.error : null
  if (e && typeof e.code === 'string') {
    return new ApiError({
      status: statusCode,
      code: e.code,
      message: e.message || undefined,
      fields: e.fields || null,
    })
  }
  // No error body (a proxy page, an empty 502 …): a readable fallback.
  const [code, message] = FALLBACK_ERRORS[statusCode] ||
    (statusCode >= 500 ? ['server_error', '服务暂时不可用，请稍后再试'] : ['http_error', undefined])
  return new ApiError({ status: statusCode, code, message })
}

function fullUrl(url) {
  if (/^https?:\/\//.test(url)) return url
  return config.API_BASE_URL + (url.charAt(0) === '/' ? url : '/' + url)
}

function send({ url, method = 'GET', data, header = {}, token }) {
  return new Promise((resolve, reject) => {
    const headers = Object.assign({ Accept: 'application/json' }, header)
    if (token) headers.Authorization = 'Bearer ' + token
    const options = {
      url: fullUrl(url),
      method,
      header: headers,
      timeout: config.REQUEST_TIMEOUT_MS,
      success(res) {
        const status = res.statusCode
        if (status >= 200 && status < 300) {
          resolve(res.data === '' || res.data === undefined ? null : res.data)
        } else {
          reject(errorFromResponse(status, res.data))
        }
      },
      fail() {
        reject(networkError())
      },
    }
    if (data !== undefined) options.data = data
    wx.request(options)
  })
}

// ---- login (shared by every caller) ----
let loginInFlight = null

function wxLoginCode() {
  return new Promise((resolve, reject) => {
    wx.login({
      success(res) {
        if (res && res.code) resolve(res.code)
        else reject(new ApiError({ code: 'wx_login_failed', message: '微信登录失败，请稍后重试' }))
      },
      fail() {
        reject(new ApiError({ code: 'wx_login_failed', message: '微信登录失败，请稍后重试' }))
      },
    })
  })
}

async function doLogin() {
  const code = await wxLoginCode()
  const session = await send({ url: '/auth/wx-login', method: 'POST', data: { code } })
  setToken(session.token)
  return session
}

// Logs in with WeChat and stores the session token. Resolves to the session
// {token, expires_at, me}. Calls made while a login is running share it.
function login() {
  if (!loginInFlight) {
    loginInFlight = doLogin().then(
      session => {
        loginInFlight = null
        return session
      },
      err => {
        loginInFlight = null
        throw err
      }
    )
  }
  return loginInFlight
}

// After a 401 on a request sent with `sentToken`: make sure a fresh token exists.
function refreshAfter401(sentToken) {
  if (loginInFlight) return loginInFlight // someone else is already logging in
  const current = getToken()
  if (current && current !== sentToken) return Promise.resolve() // already refreshed meanwhile
  return login()
}

// `relogin: false` turns off the silent login (used by logout).
async function request({ url, method = 'GET', data, header, relogin = true }) {
  const sentToken = getToken()
  try {
    return await send({ url, method, data, header, token: sentToken })
  } catch (err) {
    if (!relogin || !(err instanceof ApiError) || err.status !== 401) throw err
  }
  await refreshAfter401(sentToken)
  return send({ url, method, data, header, token: getToken() })
}

module.exports = {
  request,
  login,
  getToken,
  clearToken,
  ApiError,
}

// THE request wrapper. No other module calls wx.request.
//
//   request({ url: '/me' })                                  → Promise of the JSON body
//   request({ url: '/auth/invitations/accept', method: 'POST', data: { token } })
//   upload({ url: '/complaint-photos', filePath })           → Promise of the JSON body
//   download({ url: '/complaint-photos/41/image' })          → Promise of a local temp file path
//
// upload() sends one local file (wx.uploadFile, multipart field "file") with the same token, the
// same silent re-login and the same errors; no other module calls wx.uploadFile either. download()
// fetches a file that needs the token (a complaint photo for wx.previewImage, a PDF attachment for
// wx.openDocument) with wx.downloadFile, the same way; no other module calls wx.downloadFile.
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
  413: ['payload_too_large', '提交的内容过大'], // a proxy's limit, e.g. a photo too big
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

function headersWith(header, token) {
  const headers = Object.assign({ Accept: 'application/json' }, header)
  if (token) headers.Authorization = 'Bearer ' + token
  return headers
}

function settle(res, resolve, reject) {
  const status = res.statusCode
  if (status >= 200 && status < 300) {
    resolve(res.data === '' || res.data === undefined ? null : res.data)
  } else {
    reject(errorFromResponse(status, res.data))
  }
}

function send({ url, method = 'GET', data, header = {}, token }) {
  return new Promise((resolve, reject) => {
    const options = {
      url: fullUrl(url),
      method,
      header: headersWith(header, token),
      timeout: config.REQUEST_TIMEOUT_MS,
      success: res => settle(res, resolve, reject),
      fail() {
        reject(networkError())
      },
    }
    if (data !== undefined) options.data = data
    wx.request(options)
  })
}

// wx.uploadFile hands the response body back as text.
function parseBody(data) {
  if (typeof data !== 'string' || data === '') return data
  try {
    return JSON.parse(data)
  } catch (e) {
    return data // not JSON (a proxy's error page): errorFromResponse falls back by status
  }
}

function sendFile({ url, filePath, name, formData, token, onProgress }) {
  return new Promise((resolve, reject) => {
    const options = {
      url: fullUrl(url),
      filePath,
      name,
      header: headersWith({}, token),
      timeout: config.UPLOAD_TIMEOUT_MS,
      success: res => settle({ statusCode: res.statusCode, data: parseBody(res.data) }, resolve, reject),
      fail() {
        reject(networkError())
      },
    }
    if (formData) options.formData = formData
    const task = wx.uploadFile(options)
    // UploadTask.onProgressUpdate: {progress: 0–100, totalBytesSent, totalBytesExpectedToSend}
    if (onProgress && task && typeof task.onProgressUpdate === 'function') {
      task.onProgressUpdate(res => onProgress(res.progress))
    }
  })
}

// wx.downloadFile writes the body to a temp file: an error's JSON is not at hand, so its status
// gives the message.
function fetchFile({ url, token }) {
  return new Promise((resolve, reject) => {
    wx.downloadFile({
      url: fullUrl(url),
      header: headersWith({}, token),
      timeout: config.UPLOAD_TIMEOUT_MS,
      success: res => {
        if (res.statusCode >= 200 && res.statusCode < 300) resolve(res.tempFilePath)
        else reject(errorFromResponse(res.statusCode, null))
      },
      fail() {
        reject(networkError())
      },
    })
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

// One exchange with the stored token; on a 401, one silent login and one retry.
async function withSession(exchange, relogin) {
  const sentToken = getToken()
  try {
    return await exchange(sentToken)
  } catch (err) {
    if (!relogin || !(err instanceof ApiError) || err.status !== 401) throw err
  }
  await refreshAfter401(sentToken)
  return exchange(getToken())
}

// `relogin: false` turns off the silent login (used by logout).
function request({ url, method = 'GET', data, header, relogin = true }) {
  return withSession(token => send({ url, method, data, header, token }), relogin)
}

// Uploads the local file `filePath` as the multipart field `name`; resolves to the JSON body.
// `onProgress(percent)` follows the upload (the uploadTask's onProgressUpdate).
function upload({ url, filePath, name = 'file', formData, onProgress }) {
  return withSession(token => sendFile({ url, filePath, name, formData, token, onProgress }), true)
}

// Downloads the file at `url` (an API path needing the token); resolves to its local temp path.
function download({ url }) {
  return withSession(token => fetchFile({ url, token }), true)
}

module.exports = {
  request,
  upload,
  download,
  login,
  getToken,
  clearToken,
  ApiError,
}

// Where the mini-program finds the Mingjing API.
//
// `develop` (WeChat DevTools) talks to the Flask dev server on this machine (scripts/run). DevTools
// must have "不校验合法域名" (project.config.json: setting.urlCheck = false) for plain http on 127.0.0.1.
//
// `trial` (体验版) and `release` (正式版) MUST use the production https origin, and that origin must
// be registered as a "request 合法域名" in the mini-program admin console (开发管理 → 开发设置 →
// 服务器域名). Replace the placeholder below with the real origin (the backend's PUBLIC_BASE_URL)
// before uploading a trial or release build.
//
// A trial or release build never talks to a local address: when the version cannot be read
// (wx.getAccountInfoSync fails or answers something unknown), or its URL is the placeholder, not
// https, or local, API_BASE_URL throws a ConfigError with the reason — app.js reads it at launch and
// shows it — instead of falling back to `develop`. Tests stub wx.getAccountInfoSync (tests/helpers.js).
const API_BASE_URLS = {
  develop: 'http://127.0.0.1:5000/api/v1',
  trial: 'https://mingjing.example.cn/api/v1',
  release: 'https://mingjing.example.cn/api/v1',
}
const PLACEHOLDER_HOST = 'mingjing.example.cn'

class ConfigError extends Error {
  constructor(message) {
    super(message)
    this.name = 'ConfigError'
  }
}

// develop | trial | release, from WeChat (base library 2.2.2+); throws when it cannot be read.
function envVersion() {
  let info
  try {
    info = wx.getAccountInfoSync()
  } catch (e) {
    throw new ConfigError('读不到小程序的版本（wx.getAccountInfoSync 失败：' + ((e && e.message) || e) +
      '），不能确定该连哪个服务器。请升级微信后重试。')
  }
  const env = info && info.miniProgram && info.miniProgram.envVersion
  if (!Object.prototype.hasOwnProperty.call(API_BASE_URLS, env)) {
    throw new ConfigError(`小程序版本 “${env}” 未知（应为 develop、trial 或 release），不能确定该连哪个服务器。`)
  }
  return env
}

// The API's base URL for `env` in `urls`; throws unless a trial or release URL is a real https origin.
function baseUrlFor(env, urls = API_BASE_URLS) {
  const url = urls[env]
  if (env === 'develop') return url
  const host = (/^https:\/\/([^/:]+)/.exec(url || '') || [])[1] || ''
  if (!host) throw new ConfigError(`config.js：${env} 版本的服务器地址必须是 https 地址，现在是 “${url}”。`)
  if (host === PLACEHOLDER_HOST) {
    throw new ConfigError(`config.js：${env} 版本的服务器地址还是示例域名 ${PLACEHOLDER_HOST}，上传前请换成正式域名。`)
  }
  if (/^(localhost|127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|0\.0\.0\.0$|\[?::1\]?$)/.test(host)) {
    throw new ConfigError(`config.js：${env} 版本不能连本机或内网地址 ${host}。`)
  }
  return url
}

let apiBaseUrl = ''

module.exports = {
  // Read on first use (app.js reads it at launch); throws ConfigError as said above.
  get API_BASE_URL() {
    if (!apiBaseUrl) apiBaseUrl = baseUrlFor(envVersion())
    return apiBaseUrl
  },
  API_BASE_URLS,
  ConfigError,
  envVersion,
  baseUrlFor,
  REQUEST_TIMEOUT_MS: 15000,
  UPLOAD_TIMEOUT_MS: 60000, // photos over a village's mobile signal
  TOKEN_STORAGE_KEY: 'mingjing_token',
  HOUSEHOLD_STORAGE_KEY: 'mingjing_household_code', // the door last scanned on this phone
}

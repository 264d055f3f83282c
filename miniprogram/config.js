// Where the mini-program finds the Mingjing API.
//
// `develop` (WeChat DevTools) talks to the Flask dev server on this machine. DevTools must have
// "不校验合法域名" (project.config.json: setting.urlCheck = false) for plain http on 127.0.0.1.
//
// `trial` (体验版) and `release` (正式版) MUST use the production https origin, and that origin must
// be registered as a "request 合法域名" in the mini-program admin console (开发管理 → 开发设置 →
// 服务器域名). Replace the placeholder below with the real origin (the backend's PUBLIC_BASE_URL)
// before uploading a trial or release build.
const API_BASE_URLS = {
  develop: 'http://127.0.0.1:5000/api/v1',
  trial: 'https://mingjing.example.cn/api/v1',
  release: 'https://mingjing.example.cn/api/v1',
}

function envVersion() {
  try {
    // Available from base library 2.2.2; absent in unit tests, which then use `develop`.
    return wx.getAccountInfoSync().miniProgram.envVersion || 'develop'
  } catch (e) {
    return 'develop'
  }
}

module.exports = {
  API_BASE_URL: API_BASE_URLS[envVersion()] || API_BASE_URLS.develop,
  REQUEST_TIMEOUT_MS: 15000,
  UPLOAD_TIMEOUT_MS: 60000, // photos over a village's mobile signal
  TOKEN_STORAGE_KEY: 'mingjing_token',
  HOUSEHOLD_STORAGE_KEY: 'mingjing_household_code', // the door last scanned on this phone
}

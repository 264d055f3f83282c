// Session helpers for pages. The HTTP work (and the one wx.request call) lives in request.js.
//
// Login: wx.login gives a one-time code → POST /auth/wx-login → the backend exchanges it with
// WeChat (code2session), keeps session_key on the server, and returns the project's own opaque
// token, stored here under config.TOKEN_STORAGE_KEY. Pages normally never call login(): the first
// request that gets a 401 logs in silently (see request.js).
const { request, login, getToken, clearToken } = require('./request')

// Revokes the session on the server (best effort) and forgets the token locally.
async function logout() {
  if (getToken()) {
    try {
      await request({ url: '/auth/logout', method: 'POST', relogin: false })
    } catch (e) {
      // Offline or token already dead: forgetting it locally is what matters.
    }
  }
  clearToken()
}

module.exports = { login, logout, getToken }

// 明镜 mini-program entry. Login is lazy: the first API call that gets a 401 logs in silently
// (utils/request.js), so launching the app makes no network call by itself.
const privacy = require('./utils/privacy')

App({
  onLaunch() {
    privacy.install()
  },
})

// 明镜 mini-program entry. Login is lazy: the first API call that gets a 401 logs in silently
// (utils/request.js), so launching the app makes no network call by itself.
const config = require('./config')
const privacy = require('./utils/privacy')

App({
  onLaunch() {
    // Which server: a trial or release build that cannot tell stops here, loudly (config.js).
    try {
      void config.API_BASE_URL
    } catch (err) {
      wx.showModal({ title: '小程序配置有误', content: err.message, showCancel: false, confirmText: '知道了' })
      throw err
    }
    privacy.install()
  },
})

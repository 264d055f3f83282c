// Privacy authorisation (隐私保护指引). app.json sets `__usePrivacyCheck__: true`, so a privacy API
// (wx.chooseMedia for complaint photos, wx.getLocation …) waits until the user agrees.
//
// app.js calls install() once. When WeChat asks for consent, the current page is asked to show its
// consent panel through a method `showPrivacyConsent(referrer)`; the panel must contain
//   <button id="agree-privacy" open-type="agreePrivacyAuthorization"
//           bindagreeprivacyauthorization="onAgreePrivacy">同意</button>
// whose handler calls privacy.agree('agree-privacy') (WeChat checks that this button was tapped),
// and a 不同意 button calling privacy.disagree(). Pages without a panel decline, with an explanation.
// The complaint form (pages/complaint-file) has the panel: it uses wx.chooseMedia and
// wx.chooseLocation. wx.login, wx.request and wx.uploadFile are not privacy APIs.

let pending = null

function currentPage() {
  try {
    const pages = getCurrentPages()
    return pages.length ? pages[pages.length - 1] : null
  } catch (e) {
    return null
  }
}

function install() {
  if (typeof wx.onNeedPrivacyAuthorization !== 'function') return // base library < 2.32.3
  wx.onNeedPrivacyAuthorization((resolve, eventInfo) => {
    const page = currentPage()
    const referrer = eventInfo && eventInfo.referrer
    if (page && typeof page.showPrivacyConsent === 'function') {
      pending = resolve
      resolve({ event: 'exposureAuthorization' })
      page.showPrivacyConsent(referrer)
      return
    }
    resolve({ event: 'disagree' })
    wx.showModal({
      title: '需要您的同意',
      content: '使用此功能前，需要您阅读并同意《隐私保护指引》。',
      showCancel: false,
      confirmText: '知道了',
    })
  })
}

function agree(buttonId) {
  if (pending) pending({ event: 'agree', buttonId })
  pending = null
}

function disagree() {
  if (pending) pending({ event: 'disagree' })
  pending = null
}

function openContract() {
  if (typeof wx.openPrivacyContract === 'function') wx.openPrivacyContract({})
}

module.exports = { install, agree, disagree, openContract }

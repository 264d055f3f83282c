// The consent panel utils/privacy.js asks a page for (page.showPrivacyConsent), as a component:
// 同意 is WeChat's agreePrivacyAuthorization button (id agree-privacy), 不同意 declines. Either way
// the page is told with a `done` event and hides the panel.
const privacy = require('../../utils/privacy')

Component({
  options: {
    styleIsolation: 'apply-shared',
  },
  properties: {
    purpose: { type: String, value: '' }, // what the picture, file or place is used for
  },
  methods: {
    onAgree() {
      privacy.agree('agree-privacy')
      this.triggerEvent('done', { agreed: true })
    },
    onDisagree() {
      privacy.disagree()
      this.triggerEvent('done', { agreed: false })
    },
    onOpenContract() {
      privacy.openContract()
    },
  },
})

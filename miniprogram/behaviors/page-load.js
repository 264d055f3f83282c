// The page skeleton every page shares: loading, error with 重试, empty state. One load/error code.
//
// Pages are written with Component() (page lifecycle such as onLoad under `methods`): WeChat runs
// them as pages, and miniprogram-simulate 1.6.2 (the tests) has no Page() at all, while it runs
// Component() behaviors like WeChat does. So a page is
//
//   const pageLoad = require('../../behaviors/page-load')
//   Component({
//     behaviors: [pageLoad],
//     data: { items: [] },
//     methods: {
//       load(options) {                       // required; options = the page's onLoad options
//         return request({ url: '/me/complaints' }).then(list => ({ items: list }))
//       },
//       isEmpty(data) { return !data.items.length },  // optional: decides view.empty
//     },
//   })
//
// and its WXML
//
//   <page-state view="{{view}}" empty-text="您还没有反映过问题。" bind:retry="retry" />
//   <block wx:if="{{!view.loading && !view.error}}"> … the content … </block>
//
// with "page-state": "/components/page-state/page-state" in the page's usingComponents.
//
// Contract:
// - `load(options)` returns a Promise resolving to an object for setData (or nothing), or rejecting
//   with the request wrapper's ApiError (its Chinese `message` is shown; anything else shows a
//   generic message and is logged as the bug it is). Reject with an ApiError of your own for a
//   page-level problem (e.g. a missing id).
// - The behavior calls it on onLoad (the options are kept in `this.loadOptions` and passed again),
//   on pull-down refresh (then wx.stopPullDownRefresh) and on `retry` (page-state's 重试).
// - `data.view = { loading: bool, error: string|'', empty: bool }`; `empty` is `isEmpty(this.data)`
//   after the result is set, false when the page has no isEmpty.
// - `reload()`: load again keeping the content on screen (after an action, in onShow). A refresh or
//   reload that fails while content is shown keeps the content and shows the error as a toast; with
//   nothing on screen yet, the error state with 重试 is shown. `reload({ showLoading: true })` shows
//   正在加载… instead of the content meanwhile (e.g. another tab's list), and its failure as the
//   error state. Both return the Promise of the load (settled, never rejected).
// - Only the latest load counts: the answer of an older one that arrives later is dropped.
// - The page must not define onLoad, onPullDownRefresh, retry or reload itself (a component's own
//   method replaces the behavior's). One-time work that needs no options goes in
//   `lifetimes.attached` (lifetimes are called for both); work that needs the options goes in load.
const { isApiError, messageOf, showError } = require('../utils/errors')

const LOADING = { loading: true, error: '', empty: false }

module.exports = Behavior({
  data: {
    view: LOADING,
  },

  methods: {
    onLoad(options) {
      this.loadOptions = options || {}
      return this.loadView(true)
    },

    onPullDownRefresh() {
      return this.loadView(false).then(() => wx.stopPullDownRefresh())
    },

    retry() {
      return this.loadView(true)
    },

    reload({ showLoading = false } = {}) {
      return this.loadView(showLoading)
    },

    // showLoading: replace the content by 正在加载… while waiting (first load, 重试).
    loadView(showLoading) {
      const seq = (this._loadSeq = (this._loadSeq || 0) + 1)
      const shown = this._loadedOnce && !this.data.view.error
      if (showLoading || !shown) this.setData({ view: LOADING })
      let pending
      try {
        pending = Promise.resolve(this.load(this.loadOptions || {}))
      } catch (err) {
        pending = Promise.reject(err)
      }
      return pending.then(
        result => {
          if (seq !== this._loadSeq) return
          this._loadedOnce = true
          if (result) this.setData(result)
          const empty = typeof this.isEmpty === 'function' ? !!this.isEmpty(this.data) : false
          this.setData({ view: { loading: false, error: '', empty } })
        },
        err => {
          if (seq !== this._loadSeq) return
          if (!isApiError(err)) console.error('page load failed', err) // a bug, not a network answer
          if (shown && !showLoading) {
            showError(err)
            return
          }
          this.setData({ view: { loading: false, error: messageOf(err), empty: false } })
        }
      )
    },
  },
})

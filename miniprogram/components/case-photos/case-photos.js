// A complaint's photos (CasePhotoOut: {id, status, …}) on the villager's and the office's case page.
// Images come from the authorized endpoint GET /complaint-photos/<id>/image: an <image> src cannot
// carry the Authorization header, so each is downloaded through the request wrapper (download()) and
// the temp file is shown; tap one to see them all full screen (wx.previewImage). The villager also
// sees their photos still being checked, and refused ones as such (their image is gone).
const { download } = require('../../utils/request')

const STATUS_TEXT = { pending: '正在审核', refused: '未通过审核，已删除' }

Component({
  options: {
    styleIsolation: 'apply-shared',
  },
  properties: {
    photos: { type: Array, value: [] },
  },
  data: {
    items: [], // {id, path, failed, statusText, viewable}
  },
  observers: {
    photos(photos) {
      // Observers run whenever the page sets the property (every reload): same photos, nothing to do.
      const key = (photos || []).map(p => `${p.id}:${p.status}`).join(',')
      if (key === this.shownKey) return
      this.shownKey = key
      const known = {}
      this.data.items.forEach(i => { if (i.path) known[i.id] = i.path }) // a reload keeps what is downloaded
      this.setData({
        items: (photos || []).map(p => ({
          id: p.id,
          path: known[p.id] || '',
          failed: false,
          statusText: STATUS_TEXT[p.status] || '',
          viewable: p.status !== 'refused',
        })),
      })
      this.fetch()
    },
  },
  methods: {
    fetch() {
      this.data.items.forEach((item, index) => {
        if (!item.viewable || item.path) return
        download({ url: `/complaint-photos/${item.id}/image` }).then(
          path => {
            if (this.data.items[index] && this.data.items[index].id === item.id) {
              this.setData({ [`items[${index}].path`]: path, [`items[${index}].failed`]: false })
            }
          },
          () => {
            if (this.data.items[index] && this.data.items[index].id === item.id) {
              this.setData({ [`items[${index}].failed`]: true })
            }
          }
        )
      })
    },

    onTap(e) {
      const item = this.data.items[Number(e.currentTarget.dataset.index)]
      if (!item || !item.viewable) return
      if (!item.path) {
        if (item.failed) this.fetch() // 没加载出来：点一下再试
        return
      }
      wx.previewImage({ current: item.path, urls: this.data.items.filter(i => i.path).map(i => i.path) })
    },
  },
})

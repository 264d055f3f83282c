// 我要反映问题: a villager files a complaint from their door (POST /h/<code>/complaints).
// Opened as pages/complaint-file/complaint-file?code=<door code> (or with the door remembered).
//
// - The choices (categories by lane, roles, description length) come from GET /complaint-options.
// - Photos upload as soon as they are chosen (POST /complaint-photos via utils/request.js upload());
//   the filing sends their ids.
// - One client_request_id per form, sent with every attempt: a double tap or a retry after a lost
//   answer never files twice.
const { request, upload } = require('../../utils/request')
const { ApiError, messageOf } = require('../../utils/errors')
const household = require('../../utils/household')
const privacy = require('../../utils/privacy')
const { askForComplaintUpdates, loadTemplates } = require('../../utils/subscribe')
const { charCount, fieldMessages, newRequestId } = require('../../utils/complaints')

const MAX_PHOTOS = 9
const NO_ABOUT = { role: '', label: '不针对具体的人' }

// The API's field names (ComplaintIn) → where the form shows their messages.
const FORM_FIELD = {
  category: 'category',
  description: 'description',
  anonymous: 'contact_name',
  contact_name: 'contact_name',
  contact_phone: 'contact_phone',
  about_role: 'about_role',
  latitude: 'location',
  longitude: 'location',
  photo_ids: 'photos',
}

Component({
  data: {
    status: 'loading', // loading | ready | error | noCode | done
    loadError: '',
    lanes: [],
    category: '',
    description: '',
    descriptionLength: 0,
    descriptionMin: 0,
    descriptionMax: 0,
    anonymous: true,
    contactName: '',
    contactPhone: '',
    aboutChoices: [NO_ABOUT],
    aboutIndex: 0,
    location: null,
    photos: [], // {key, path, status: uploading | done | failed, id}
    maxPhotos: MAX_PHOTOS,
    errors: {},
    formError: '',
    showMine: false,
    submitting: false,
    privacyVisible: false,
    reference: '',
    complaintId: null,
  },

  methods: {
    onLoad(options) {
      this.code = household.current(options)
      this.requestId = newRequestId()
      this.uploads = Promise.resolve() // photos upload one after another
      this.photoSeq = 0
      if (!this.code) {
        this.setData({ status: 'noCode' })
        return
      }
      this.loadOptions()
      loadTemplates() // ready before the tap that asks for them
    },

    loadOptions() {
      this.setData({ status: 'loading', loadError: '' })
      return request({ url: '/complaint-options' }).then(
        o => this.setData({
          status: 'ready',
          lanes: o.lanes || [],
          aboutChoices: [NO_ABOUT].concat(o.about_roles || []),
          descriptionMin: o.description_min,
          descriptionMax: o.description_max,
        }),
        err => this.setData({ status: 'error', loadError: messageOf(err) })
      )
    },

    onRetry() {
      this.loadOptions()
    },

    // ---- the fields ----
    clearError(field) {
      if (this.data.errors[field]) this.setData({ ['errors.' + field]: '' })
    },

    onPickCategory(e) {
      this.setData({ category: e.currentTarget.dataset.key })
      this.clearError('category')
    },

    onDescriptionInput(e) {
      const description = e.detail.value
      this.setData({ description, descriptionLength: charCount(description) })
      this.clearError('description')
    },

    onIdentity(e) {
      this.setData({ anonymous: e.currentTarget.dataset.value === 'anonymous' })
      this.clearError('contact_name')
    },

    onNameInput(e) {
      this.setData({ contactName: e.detail.value })
      this.clearError('contact_name')
    },

    onPhoneInput(e) {
      this.setData({ contactPhone: e.detail.value })
      this.clearError('contact_phone')
    },

    onAboutChange(e) {
      this.setData({ aboutIndex: Number(e.detail.value) || 0 })
      this.clearError('about_role')
    },

    onChooseLocation() {
      wx.chooseLocation({
        success: res => {
          this.setData({
            location: { latitude: res.latitude, longitude: res.longitude, name: res.name || res.address || '已选的位置' },
          })
          this.clearError('location')
        },
        fail: err => {
          if (/cancel/.test((err && err.errMsg) || '')) return
          wx.showToast({ title: '没有取到位置，可以不加位置', icon: 'none', duration: 3000 })
        },
      })
    },

    onClearLocation() {
      this.setData({ location: null })
    },

    // ---- photos ----
    onAddPhotos() {
      const room = MAX_PHOTOS - this.data.photos.length
      if (room <= 0) {
        wx.showToast({ title: `最多只能放 ${MAX_PHOTOS} 张照片`, icon: 'none', duration: 3000 })
        return
      }
      wx.chooseMedia({
        count: room,
        mediaType: ['image'],
        sourceType: ['album', 'camera'],
        sizeType: ['compressed'],
        success: res => this.addPhotos((res.tempFiles || []).map(f => f.tempFilePath)),
        fail: () => {}, // cancelled, or privacy declined (utils/privacy.js explains)
      })
    },

    addPhotos(paths) {
      const room = MAX_PHOTOS - this.data.photos.length
      const taken = paths.slice(0, Math.max(room, 0))
      if (paths.length > taken.length) {
        wx.showToast({ title: `最多 ${MAX_PHOTOS} 张，多出的 ${paths.length - taken.length} 张没有放进来`, icon: 'none', duration: 3000 })
      }
      const added = taken.map(path => ({ key: 'p' + ++this.photoSeq, path, status: 'uploading', id: null }))
      if (!added.length) return
      this.setData({ photos: this.data.photos.concat(added) })
      this.clearError('photos')
      added.forEach(p => this.queueUpload(p.key))
    },

    queueUpload(key) {
      this.uploads = this.uploads.then(() => this.uploadPhoto(key))
      return this.uploads
    },

    uploadPhoto(key) {
      const photo = this.data.photos.find(p => p.key === key)
      if (!photo || photo.status === 'done') return null // removed meanwhile, or already up
      this.updatePhoto(key, { status: 'uploading' })
      return upload({ url: '/complaint-photos', filePath: photo.path }).then(
        res => this.updatePhoto(key, { status: 'done', id: res.id }),
        () => this.updatePhoto(key, { status: 'failed' })
      )
    },

    updatePhoto(key, changes) {
      this.setData({ photos: this.data.photos.map(p => (p.key === key ? Object.assign({}, p, changes) : p)) })
    },

    onRetryPhoto(e) {
      this.queueUpload(e.currentTarget.dataset.key)
    },

    onRemovePhoto(e) {
      const key = e.currentTarget.dataset.key
      this.setData({ photos: this.data.photos.filter(p => p.key !== key) })
    },

    onPreviewPhoto(e) {
      wx.previewImage({ urls: this.data.photos.map(p => p.path), current: e.currentTarget.dataset.path })
    },

    // Every photo's id, in order; failed uploads are tried once more first.
    async uploadedPhotoIds() {
      await this.uploads
      this.data.photos.filter(p => p.status === 'failed').forEach(p => this.queueUpload(p.key))
      await this.uploads
      const missing = this.data.photos.filter(p => p.status !== 'done').length
      if (missing) {
        throw new ApiError({
          code: 'photo_upload_failed',
          message: `有 ${missing} 张照片没有传上去。请检查网络后再点「提交」，或者删掉这几张照片。`,
          fields: { photo_ids: ['有照片没有传上去'] },
        })
      }
      return this.data.photos.map(p => p.id)
    },

    // ---- submitting ----
    // Mistakes the form can see by itself, before anything is sent.
    check() {
      const d = this.data
      const errors = {}
      const length = charCount(d.description.trim())
      if (!d.category) errors.category = '请选一个类别'
      if (length < d.descriptionMin) errors.description = `请至少写 ${d.descriptionMin} 个字，说清楚是什么事`
      else if (length > d.descriptionMax) errors.description = `最多 ${d.descriptionMax} 个字，请删减一些`
      if (!d.anonymous && !d.contactName.trim()) errors.contact_name = '留名反映请填写姓名'
      return errors
    },

    onSubmit() {
      if (this.data.submitting || this.data.status !== 'ready') return null // a second tap
      const errors = this.check()
      if (Object.keys(errors).length) {
        this.showErrors(errors, '还有内容没有填好，请看红字提示')
        return null
      }
      this.setData({ submitting: true, errors: {}, formError: '', showMine: false })
      // Before any await: WeChat shows the subscribe dialog only from inside the tap.
      const asked = askForComplaintUpdates()
      return asked.then(() => this.send())
    },

    async send() {
      try {
        const photoIds = await this.uploadedPhotoIds()
        const complaint = await request({
          url: '/h/' + encodeURIComponent(this.code) + '/complaints',
          method: 'POST',
          data: this.filing(photoIds),
        })
        this.filed(complaint)
      } catch (err) {
        this.failed(err)
      }
    },

    // The request body (ComplaintIn). Empty optional fields are left out.
    filing(photoIds) {
      const d = this.data
      const body = {
        client_request_id: this.requestId,
        category: d.category,
        description: d.description.trim(),
        anonymous: d.anonymous,
      }
      if (!d.anonymous) {
        body.contact_name = d.contactName.trim()
        if (d.contactPhone.trim()) body.contact_phone = d.contactPhone.trim()
      }
      const about = d.aboutChoices[d.aboutIndex]
      if (about && about.role) body.about_role = about.role
      if (d.location) {
        body.latitude = d.location.latitude
        body.longitude = d.location.longitude
      }
      if (photoIds.length) body.photo_ids = photoIds
      return body
    },

    filed(complaint) {
      this.setData({ status: 'done', submitting: false, reference: complaint.reference, complaintId: complaint.id })
      wx.showModal({
        title: '提交成功',
        content: `编号：${complaint.reference}\n请记下这个编号。办理进度可以在「我反映的问题」里查看。`,
        showCancel: false,
        confirmText: '查看进度',
        complete: () => this.onOpenDetail(),
      })
    },

    failed(err) {
      const errors = {}
      const others = []
      const messages = fieldMessages(err && err.fields)
      Object.keys(messages).forEach(name => {
        const field = FORM_FIELD[name]
        if (!field) others.push(messages[name])
        else errors[field] = errors[field] ? errors[field] + '；' + messages[name] : messages[name]
      })
      if (err && err.code === 'request_id_reused') {
        // An earlier attempt of this form did file (its answer was lost), before the text changed.
        this.setData({ submitting: false, showMine: true,
          formError: '您刚才已经提交成功了，不用再提交。请到「我反映的问题」里查看。' })
        return
      }
      this.setData({ submitting: false })
      this.showErrors(errors, messageOf(err) + (others.length ? '（' + others.join('；') + '）' : ''))
    },

    showErrors(errors, formError) {
      this.setData({ errors, formError })
      if (Object.keys(errors).length && typeof wx.pageScrollTo === 'function') {
        wx.pageScrollTo({ selector: '.has-error', duration: 300 })
      }
    },

    // ---- navigation ----
    onOpenDetail() {
      wx.redirectTo({ url: '/pages/my-complaint/my-complaint?id=' + this.data.complaintId + '&filed=1' })
    },

    onOpenMine() {
      wx.redirectTo({ url: '/pages/my-complaints/my-complaints' })
    },

    onGoHome() {
      wx.reLaunch({ url: '/pages/index/index' })
    },

    // ---- privacy consent (utils/privacy.js): before the first photo or location ----
    showPrivacyConsent() {
      this.setData({ privacyVisible: true })
    },

    onAgreePrivacy() {
      privacy.agree('agree-privacy')
      this.setData({ privacyVisible: false })
    },

    onDisagreePrivacy() {
      privacy.disagree()
      this.setData({ privacyVisible: false })
    },

    onOpenPrivacyContract() {
      privacy.openContract()
    },
  },
})

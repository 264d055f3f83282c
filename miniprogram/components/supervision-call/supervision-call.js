// The large 打电话给镇纪委 button on the door's landing and on every disclosure page: a villager who
// doubts what the village published calls the township's discipline office (the supervision phone
// the landing returns, village.township.supervision_phone) with one tap.
Component({
  options: {
    styleIsolation: 'apply-shared',
  },
  properties: {
    phone: { type: String, value: '' },
    township: { type: String, value: '' },
  },
  methods: {
    onCall() {
      if (!this.data.phone) return
      // Digits only ("0571-8800 1234" is shown as written, dialled as 057188001234); cancelling is not an error.
      wx.makePhoneCall({ phoneNumber: this.data.phone.replace(/[^\d+]/g, ''), fail() {} })
    },
  },
})

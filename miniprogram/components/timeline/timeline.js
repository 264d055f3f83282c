// A case's history, oldest first: rows from utils/complaints.js timeline().
Component({
  properties: {
    items: { type: Array, value: [] },
  },
})

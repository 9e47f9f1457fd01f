/* The page's state, shared by its modules: the gallery's columns, the view, the selection, the open image. */
export const S = { rows: null, byId: new Map(), view: [], filtered: null, selected: new Set(), current: null,
  version: 0, session: null, preview: null, busy: 0, fresh: null, selectedAll: null };

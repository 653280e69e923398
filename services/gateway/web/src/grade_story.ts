// How a region's own grade relates to the grade on an attribute's card, so
// the result page tells one story. The card shows the photo-level grade,
// which the inference service combines from the crops of some regions only
// (services/inference/photo_aggregation.cc: the mean of their probability
// vectors, e.g. wrinkle from forehead and eye areas; every crop only when
// none of those regions was found). Every crop is also graded on its own,
// the whole-face crop among them, and the region view shows those grades:
// a tile outside the card's regions must say that its grade is not part of
// the card's.
//
//   regionRole(grade, 'full_face')  // 'own' for wrinkle: not in the card's grade

import type { Grade } from './model';

/**
 * 'counted': the region is one the card's grade combines; 'own': it is graded
 * on its own and not part of the card's grade; 'unknown': the server did not
 * list the card's regions (or there is no card), so nothing can be said.
 */
export type RegionRole = 'counted' | 'own' | 'unknown';

/** The role of `region` (a short name, e.g. "full_face") for the card `grade`. */
export function regionRole(grade: Grade | undefined, region: string): RegionRole {
  if (!grade || grade.regions.length === 0) return 'unknown';
  return grade.regions.includes(region) ? 'counted' : 'own';
}

// The names of attributes and face regions in the current language, shared by
// the result page's cards and its heatmaps.

import { t, type MessageKey } from '../i18n';
import { REGIONS, type AttributeName } from '../types';

export function attrLabel(a: AttributeName): string {
  return t(`attr.${a}` as MessageKey);
}

/** A region's name ("left_cheek" -> "Left cheek"); an unknown region as the server named it. */
export function regionLabel(region: string): string {
  return (REGIONS as readonly string[]).includes(region) ? t(`region.${region}` as MessageKey) : region;
}

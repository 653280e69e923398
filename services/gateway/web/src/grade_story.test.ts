import { describe, expect, it } from 'vitest';
import { regionRole } from './grade_story';
import { photoGrades } from './model';

// The case: the wrinkle card combines forehead and eye areas; the whole-face crop
// is graded on its own (grade 3) while the card says grade 1.
const [wrinkle] = photoGrades({
  results: [
    {
      attribute: 'ATTRIBUTE_WRINKLE',
      distribution: { probabilities: [0.2, 0.5, 0.2, 0.1, 0], grade: 1, expectedScore: 1.2 },
      regions: ['FACE_REGION_FOREHEAD', 'FACE_REGION_LEFT_EYE_AREA', 'FACE_REGION_RIGHT_EYE_AREA'],
    },
  ],
});

describe('regionRole', () => {
  it('says which regions the card grade combines and which are graded on their own', () => {
    expect(wrinkle!.regions).toEqual(['forehead', 'left_eye_area', 'right_eye_area']);
    expect(regionRole(wrinkle, 'forehead')).toBe('counted');
    expect(regionRole(wrinkle, 'right_eye_area')).toBe('counted');
    expect(regionRole(wrinkle, 'full_face')).toBe('own');
    expect(regionRole(wrinkle, 'left_cheek')).toBe('own');
  });

  it('cannot say when the server lists no regions, or there is no card', () => {
    const [bare] = photoGrades({ results: [{ attribute: 'ATTRIBUTE_OIL', distribution: { grade: 2 } }] });
    expect(regionRole(bare, 'full_face')).toBe('unknown');
    expect(regionRole(undefined, 'nose')).toBe('unknown');
  });

  it('counts the whole face when the server fell back to every crop', () => {
    const [all] = photoGrades({
      results: [{ attribute: 'ATTRIBUTE_WRINKLE', regions: ['FACE_REGION_FULL_FACE', 'FACE_REGION_NOSE'] }],
    });
    expect(regionRole(all, 'full_face')).toBe('counted');
  });
});

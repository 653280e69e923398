// Every user-visible string of the web app, in English and Korean, and the
// choice of language: the saved choice, else the browser's languages (ko* ->
// Korean, anything else -> English). The Korean table is typed by the English
// one, so a missing key does not compile; i18n.test.ts checks that both
// tables use the same {placeholders}.
//
//   setLanguage(detectLanguage());
//   t('history.delete')                       // "Delete" or "삭제"
//   t('quality.measured', { value: '23', threshold: '60' })

const en = {
  'app.title': 'SkinLens',
  'app.tagline': 'Skin analysis from a face photo',
  'a11y.skipToContent': 'Skip to main content',
  'app.disclaimer': 'SkinLens is not a medical device; its grades are not a diagnosis.',
  'lang.switch': '한국어',
  'lang.switchLabel': 'Switch language to Korean',
  'demo.notice':
    'Demo model: it was trained on synthetic images only, so its grades are NOT meaningful for real faces.',
  'nav.analyse': 'Analyse',
  'nav.history': 'History',
  'nav.trends': 'Trends',
  'nav.account': 'Account',
  'nav.logout': 'Log out',
  'nav.signedInAs': 'Signed in as {user}',

  'auth.login': 'Log in',
  'auth.signup': 'Sign up',
  'auth.username': 'User ID',
  'auth.password': 'Password',
  'auth.passwordHint': 'At least 8 characters; avoid common passwords.',
  'auth.haveAccount': 'Already have an account? Log in',
  'auth.noAccount': 'New here? Create an account',
  'auth.wrongCredentials': 'Wrong user ID or password.',
  'auth.usernameTaken': 'This user ID is taken; choose another.',
  'auth.sessionExpired': 'Your session has ended. Please log in again.',
  'auth.loggedOut': 'You are logged out.',
  'auth.failedAttempts':
    'There were {count} failed log-in attempts to your account since your last log-in. If they were not you, change your password.',
  'auth.accountDeleted': 'Your account and its history were deleted.',
  'auth.missingCredentials': 'Enter your user ID and password.',
  'auth.reason.PASSWORD_TOO_SHORT': 'The password is too short: use at least 8 characters.',
  'auth.reason.PASSWORD_TOO_COMMON': 'This password is too common; choose another.',
  'auth.reason.PASSWORD_TOO_LONG': 'The password is too long (at most 256 characters).',
  'auth.reason.PASSWORD_CONTAINS_USERNAME': 'The password must not contain the user ID.',
  'auth.reason.PASSWORD_BLANK': 'A password cannot be only spaces.',
  'auth.reason.USERNAME_INVALID':
    'The user ID is not valid: use 3 to 32 letters, digits, dots, dashes or underscores, starting with a letter or digit.',

  'guide.label': 'Live guidance',
  'guide.starting': 'Checking the picture…',
  'guide.startingFix': 'Face the camera; the photo is taken by itself when everything is right.',
  'guide.ready': 'Looks good.',
  'guide.ready.fix': 'Hold still: the photo is taken in a moment.',
  'guide.unreadable': 'This picture could not be checked.',
  'guide.unreadable.fix': 'It is checked again in a moment.',
  'guide.unavailable': 'Live guidance is not available right now. Take the photo yourself.',
  'guide.busy': 'Live guidance is busy; it tries again in {seconds} s. You can take the photo yourself.',
  'guide.taken': 'The photo was taken by itself when the picture was right. Analyse it, or take another.',

  'capture.title': 'New analysis',
  'capture.intro':
    'Take a photo of your face, or choose one: face the camera in even light, without make-up or glasses if you can.',
  'capture.useCamera': 'Use camera',
  'capture.takePhoto': 'Take photo',
  'capture.stopCamera': 'Close camera',
  'capture.chooseFile': 'Choose a photo',
  'capture.analyse': 'Analyse',
  'capture.retake': 'Choose another',
  'capture.cameraDenied': 'The camera cannot be used ({reason}). Choose a photo file instead.',
  'capture.cameraUnsupported': 'This browser cannot use the camera here. Choose a photo file instead.',
  'capture.cameraPermission':
    'Camera access was denied. Allow it in the browser settings, or choose a photo file instead.',
  'capture.cameraNotFound': 'No camera was found. Choose a photo file instead.',
  'capture.preview': 'Selected photo',
  'capture.analysing': 'Analysing your photo…',
  'capture.uploading': 'Uploading and analysing… {seconds} s',

  'quality.refused': 'The photo could not be analysed',
  'quality.fixIntro': 'How to fix it:',
  'quality.warnings': 'Notes on the photo quality',
  'quality.measured': 'Measured {value}; limit {threshold}.',
  'quality.measured.MULTIPLE_FACES': '{value} faces were found; at most {threshold} may be in the photo.',
  'quality.measured.FACE_TOO_SMALL': 'The face is {value} pixels wide; at least {threshold} are needed.',
  'quality.measured.IMAGE_TOO_SMALL': 'The shorter side of the photo is {value} pixels; at least {threshold} are needed.',
  'quality.measured.BLURRED': 'Sharpness {value}, at least {threshold} needed (higher is sharper).',
  'quality.measured.TOO_DARK': 'Brightness {value} on a 0–255 scale; at least {threshold} is needed.',
  'quality.measured.TOO_BRIGHT': 'Brightness {value} on a 0–255 scale; at most {threshold} is allowed.',
  'quality.measured.UNEVEN_LIGHTING': 'One side of the face is {value} times as bright as the other; at most {threshold} times is allowed.',
  'quality.measured.FACE_TURNED': 'The face is turned about {value}° to the side; at most {threshold}° is allowed.',
  'quality.measured.FACE_TILTED': 'The head is tilted {value}°; at most {threshold}° is allowed.',
  'quality.measured.FACE_OFF_CENTER': 'The face is {value} % of the picture away from its middle; at most {threshold} % is allowed.',
  'quality.measured.FACE_MOVING': 'The face moved {value} % of its width since the last frame; at most {threshold} % counts as still.',
  'quality.measured.IMAGE_TOO_LARGE': 'The file has {value} MB; at most {threshold} MB is allowed.',
  'quality.measured.IMAGE_TOO_MANY_PIXELS': 'The image has {value} megapixels; at most {threshold} are allowed.',

  'result.title': 'Your result',
  'result.takenAt': 'Analysed {time}',
  'result.grade': 'Grade {grade} on a 0–4 scale',
  'result.expected': 'Score {score}: the expected grade, the mean of grades 0–4 weighted by the probabilities below (the grade is the most likely one).',
  'result.fromRegions': 'Graded from: {regions}.',
  'result.cannotEstimate': 'Cannot estimate from this photo',
  'result.cannotEstimateWhy':
    'The model is not sure enough about this attribute in this photo, so it gives no grade. A sharper, evenly lit photo taken straight on may help.',
  'result.probabilities': 'Probability of each grade',
  'result.gradeLabel': 'Grade {grade}',
  'result.summary': 'Grades at a glance',
  'result.notSaved': 'This result could not be saved in your history.',
  'result.heatmaps': 'Where the model looked (Grad-CAM)',
  'result.heatmapsIntro':
    'Warm colours show the parts of the photo that most influenced the grade of the chosen attribute.',
  'result.wholeFace': 'Whole face',
  'heatmap.legendLow': 'Less influence',
  'heatmap.legendHigh': 'More influence',
  'heatmap.legendText':
    'Warm colours (yellow, red) mark the parts that influenced this grade most. They do not mean the skin there is worse.',
  'result.byRegion': 'By region',
  'result.regionGrade': '{region}: grade {grade}',
  'result.regionOwnGrade': "{region}: grade {grade}, graded on its own; not part of the card's grade",
  'result.regionsIntro':
    "The {attribute} card's grade combines {regions} (the mean of their grade probabilities), so one region's own grade can differ from it.",
  'result.regionsIntroAbstained':
    'The {attribute} card gives no grade: the model is not sure enough for this photo. Each region below shows its own reading, for reference only.',
  'result.heatmapsFailed': 'The heatmaps could not be computed this time; the grades are valid.',
  'result.heatmapsNotStored': 'Heatmaps are shown only right after an analysis; history keeps the grades.',
  'result.heatmapsNotRequested': 'No heatmaps were requested for this analysis.',
  'result.noHeatmap': 'No heatmap for this attribute.',
  'result.newAnalysis': 'New analysis',
  'result.demoResult': 'Graded by the demo model: not meaningful for real faces.',
  'result.meaningScale': 'Grades go from 0 (least) to 4 (most pronounced).',

  'history.title': 'History',
  'history.empty': 'No analyses yet.',
  'history.open': 'Open',
  'history.delete': 'Delete',
  'history.confirmDelete': 'Delete the analysis of {time}? This cannot be undone.',
  'history.more': 'Show more',
  'history.deleted': 'Deleted.',

  'trends.title': 'Trends',
  'trends.attribute': 'Attribute',
  'trends.bucket': 'Group by',
  'trends.bucket.NONE': 'Each analysis',
  'trends.bucket.DAY': 'Day',
  'trends.bucket.WEEK': 'Week',
  'trends.bucket.MONTH': 'Month',
  'trends.empty': 'No analyses yet: the chart appears after your first one.',
  'trends.score': 'Score (0–4)',
  'trends.range': 'Lowest–highest',
  'trends.band': 'Repeat-scan noise',
  'trends.bandExplained':
    'The shaded band shows how much the score moves when the same skin is photographed again (light, angle, camera). A change inside the band may be the photo, not your skin.',
  'trends.noBand': 'The shaded area is the range of the analyses in each point; this model has no repeat-scan figures to tell noise from change.',
  'trends.significant': 'a real change, beyond photo noise',
  'trends.noSignificant': 'No change so far is larger than repeat-scan noise.',
  'trends.significantList': 'Changes larger than repeat-scan noise (triangles): {dates}.',
  'trends.truncated': 'Only the newest points are shown.',
  'trends.summary': '{attribute}: {count} points from {first} to {last}; latest score {latest} of 4.',
  'trends.tableCaption': '{attribute} score at each point of the chart',
  'trends.colDate': 'Date',
  'trends.colScore': 'Score (0–4)',
  'trends.colCount': 'Analyses',
  'trends.colChange': 'Change beyond noise',
  'trends.changeYes': 'Yes',
  'trends.changeNo': 'No',
  'trends.overviewTitle': 'All five attributes',
  'trends.overviewIntro': 'Each attribute’s score on the same time axis; choose one above for its details.',
  'trends.overviewSummary': 'All five attributes over time; latest scores of 4: {latest}.',
  'trends.overviewLatest': '{attribute} {score}',

  'account.title': 'Account',
  'account.user': 'User ID: {user}',
  'account.deleteTitle': 'Delete account',
  'account.deleteWarning':
    'This deletes your account and every saved analysis. It cannot be undone.',
  'account.deleteConfirm': 'I understand that this cannot be undone',
  'account.deletePassword': 'Your password',
  'account.deleteButton': 'Delete my account',
  'account.wrongPassword': 'The password is wrong.',
  'account.passwordTitle': 'Change password',
  'account.currentPassword': 'Current password',
  'account.newPassword': 'New password',
  'account.passwordButton': 'Change password',
  'account.wrongCurrentPassword': 'The current password is wrong.',
  'account.passwordChanged': 'Your password was changed. You stay logged in here.',
  'account.sessionsRevoked': 'Other devices and browsers were logged out: {count}.',
  'account.exportTitle': 'Export my data',
  'account.exportIntro': 'Download every saved analysis: CSV for spreadsheets, or JSON with every detail.',
  'account.exportCsv': 'Download CSV',
  'account.exportJson': 'Download JSON',
  'account.exporting': 'Preparing the file…',
  'account.exported': 'Downloaded {file}.',

  'error.network': 'The server cannot be reached. Check your connection and try again.',
  'error.throttled': 'Too many attempts. Try again in {seconds} s.',
  'error.throttledSoon': 'Too many attempts. Try again in a moment.',
  'error.unavailable': 'The service is busy or unavailable. Try again shortly.',
  'error.timeout': 'The analysis took too long. Try again.',
  'error.tooLarge': 'The photo is too large.',
  'error.unsupported': 'This file is not a supported image (JPEG, PNG or WebP).',
  'error.notFound': 'Not found; it may have been deleted.',
  'error.generic': 'Something went wrong. Please try again.',
  'error.badRequest': 'The request was not accepted. Check what you entered and try again.',
  'error.forbidden': 'This is not allowed.',
  'error.busy': 'Many analyses are running right now. Try again in {seconds} s.',
  'common.loading': 'Loading…',
  'common.cancel': 'Cancel',

  'attr.oil': 'Oil',
  'attr.hydration': 'Hydration',
  'attr.wrinkle': 'Wrinkles',
  'attr.pigmentation': 'Pigmentation',
  'attr.sensitivity': 'Sensitivity',

  'attr.oil.about': 'Oiliness: sebum and shine.',
  'attr.hydration.about': 'Dryness: a higher grade means drier skin.',
  'attr.wrinkle.about': 'Lines and wrinkles: their depth, length and number.',
  'attr.pigmentation.about': 'Brown spots and patches.',
  'attr.sensitivity.about': 'Redness and irritation.',

  'grade.oil.0': 'Very little oil; skin looks matte.',
  'grade.oil.1': 'Slightly oily.',
  'grade.oil.2': 'Moderately oily; some shine, e.g. on the nose and forehead.',
  'grade.oil.3': 'Oily; visible shine over much of the face.',
  'grade.oil.4': 'Very oily; strong shine all over.',
  'grade.hydration.0': 'Well hydrated; no dryness visible.',
  'grade.hydration.1': 'Slightly dry.',
  'grade.hydration.2': 'Moderately dry; some rough or flaky texture.',
  'grade.hydration.3': 'Dry; rough texture over larger areas.',
  'grade.hydration.4': 'Very dry; pronounced roughness or flaking.',
  'grade.wrinkle.0': 'No visible wrinkles.',
  'grade.wrinkle.1': 'A few fine lines.',
  'grade.wrinkle.2': 'Noticeable fine lines.',
  'grade.wrinkle.3': 'Clear wrinkles.',
  'grade.wrinkle.4': 'Deep or many wrinkles.',
  'grade.pigmentation.0': 'Even tone; no spots.',
  'grade.pigmentation.1': 'A few faint spots.',
  'grade.pigmentation.2': 'Several visible spots.',
  'grade.pigmentation.3': 'Many or darker spots and patches.',
  'grade.pigmentation.4': 'Extensive, dark pigmentation.',
  'grade.sensitivity.0': 'No redness.',
  'grade.sensitivity.1': 'Slight redness.',
  'grade.sensitivity.2': 'Moderate redness in places.',
  'grade.sensitivity.3': 'Marked redness.',
  'grade.sensitivity.4': 'Strong, widespread redness.',

  'region.full_face': 'Whole face',
  'region.forehead': 'Forehead',
  'region.left_cheek': 'Left cheek',
  'region.right_cheek': 'Right cheek',
  'region.nose': 'Nose',
  'region.chin': 'Chin',
  'region.left_eye_area': 'Left eye area',
  'region.right_eye_area': 'Right eye area',

  'reason.NO_FACE': 'No face was found.',
  'reason.NO_FACE.fix': 'Face the camera with your whole face in the frame.',
  'reason.MULTIPLE_FACES': 'More than one face is in the photo.',
  'reason.MULTIPLE_FACES.fix': 'Make sure only your face is in the photo.',
  'reason.FACE_TOO_SMALL': 'The face is too small.',
  'reason.FACE_TOO_SMALL.fix': 'Move closer so your face fills more of the photo.',
  'reason.BLURRED': 'The photo is blurred.',
  'reason.BLURRED.fix': 'Hold the camera still, let it focus, and take the photo again.',
  'reason.TOO_DARK': 'The photo is too dark.',
  'reason.TOO_DARK.fix': 'Move to a brighter place or face a window; avoid light from behind you.',
  'reason.TOO_BRIGHT': 'The photo is overexposed.',
  'reason.TOO_BRIGHT.fix': 'Avoid direct sunlight and flash; use soft, even light.',
  'reason.UNEVEN_LIGHTING': 'One side of the face is much brighter than the other.',
  'reason.UNEVEN_LIGHTING.fix': 'Face the light so both sides of your face are lit equally.',
  'reason.FACE_TURNED': 'The face is turned sideways.',
  'reason.FACE_TURNED.fix': 'Look straight into the camera.',
  'reason.FACE_TILTED': 'The head is tilted.',
  'reason.FACE_TILTED.fix': 'Hold your head upright.',
  'reason.LOW_IMAGE_QUALITY': 'The image quality is low.',
  'reason.LOW_IMAGE_QUALITY.fix': 'Clean the lens; avoid digital zoom and heavily compressed images.',
  'reason.IMAGE_TOO_LARGE': 'The file is too large.',
  'reason.IMAGE_TOO_LARGE.fix': 'Use a smaller photo (at most 15 MB).',
  'reason.IMAGE_TOO_MANY_PIXELS': 'The image has too many pixels.',
  'reason.IMAGE_TOO_MANY_PIXELS.fix': 'Use a photo of lower resolution.',
  'reason.IMAGE_TOO_SMALL': 'The photo is too small.',
  'reason.IMAGE_TOO_SMALL.fix': 'Use a photo of higher resolution.',
  'reason.UNSUPPORTED_FORMAT': 'This file is not a supported image.',
  'reason.UNSUPPORTED_FORMAT.fix': 'Use a JPEG, PNG or WebP photo.',
  'reason.UNDECODABLE': 'The image cannot be read.',
  'reason.UNDECODABLE.fix': 'The file seems damaged; take or choose another photo.',
  'reason.EMPTY_IMAGE': 'The file is empty.',
  'reason.EMPTY_IMAGE.fix': 'Choose a photo file.',
  'reason.FACE_CUT_OFF': 'Part of the face is outside the photo.',
  'reason.FACE_CUT_OFF.fix': 'Centre your face so all of it is in the frame.',
  'reason.EYES_NOT_FOUND': 'The eyes were not found.',
  'reason.EYES_NOT_FOUND.fix': 'Take off sunglasses, keep your eyes open and look at the camera.',
  'reason.FACE_OFF_CENTER': 'The face is not in the middle of the picture.',
  'reason.FACE_OFF_CENTER.fix': 'Move the camera so that your face is in the middle.',
  'reason.FACE_MOVING': 'The face is moving.',
  'reason.FACE_MOVING.fix': 'Hold still for a moment.',
  'reason.UNKNOWN': 'The photo did not pass the quality check.',
  'reason.UNKNOWN.fix': 'Take a clear, well-lit photo of your face and try again.',

  'footer.model': 'Model {version}',
} as const;

export type MessageKey = keyof typeof en;

const ko: Record<MessageKey, string> = {
  'app.title': 'SkinLens',
  'app.tagline': '얼굴 사진으로 보는 피부 분석',
  'a11y.skipToContent': '본문으로 건너뛰기',
  'app.disclaimer': 'SkinLens는 의료기기가 아니며, 등급은 진단이 아닙니다.',
  'lang.switch': 'English',
  'lang.switchLabel': '언어를 영어로 바꾸기',
  'demo.notice':
    '데모 모델: 합성 이미지로만 학습했기 때문에 실제 얼굴에 대한 등급은 의미가 없습니다.',
  'nav.analyse': '분석',
  'nav.history': '기록',
  'nav.trends': '추이',
  'nav.account': '계정',
  'nav.logout': '로그아웃',
  'nav.signedInAs': '{user} 님으로 로그인됨',

  'auth.login': '로그인',
  'auth.signup': '회원가입',
  'auth.username': '아이디',
  'auth.password': '비밀번호',
  'auth.passwordHint': '8자 이상; 흔한 비밀번호는 피하세요.',
  'auth.haveAccount': '이미 계정이 있나요? 로그인',
  'auth.noAccount': '처음이신가요? 계정 만들기',
  'auth.wrongCredentials': '아이디 또는 비밀번호가 틀렸습니다.',
  'auth.usernameTaken': '이미 사용 중인 아이디입니다. 다른 아이디를 고르세요.',
  'auth.sessionExpired': '세션이 끝났습니다. 다시 로그인하세요.',
  'auth.loggedOut': '로그아웃했습니다.',
  'auth.failedAttempts':
    '마지막 로그인 이후 계정에 로그인 실패가 {count}번 있었습니다. 본인이 아니라면 비밀번호를 바꾸세요.',
  'auth.accountDeleted': '계정과 기록이 삭제되었습니다.',
  'auth.missingCredentials': '아이디와 비밀번호를 입력하세요.',
  'auth.reason.PASSWORD_TOO_SHORT': '비밀번호가 너무 짧습니다. 8자 이상으로 하세요.',
  'auth.reason.PASSWORD_TOO_COMMON': '너무 흔한 비밀번호입니다. 다른 비밀번호를 고르세요.',
  'auth.reason.PASSWORD_TOO_LONG': '비밀번호가 너무 깁니다 (최대 256자).',
  'auth.reason.PASSWORD_CONTAINS_USERNAME': '비밀번호에 아이디를 넣을 수 없습니다.',
  'auth.reason.PASSWORD_BLANK': '공백만으로는 비밀번호를 만들 수 없습니다.',
  'auth.reason.USERNAME_INVALID':
    '아이디 형식이 올바르지 않습니다. 영문자나 숫자로 시작하는 3~32자의 영문자, 숫자, 점, 대시, 밑줄을 쓰세요.',

  'guide.label': '실시간 안내',
  'guide.starting': '화면을 확인하는 중…',
  'guide.startingFix': '카메라를 바라보세요. 모든 것이 맞으면 사진이 저절로 찍힙니다.',
  'guide.ready': '좋습니다.',
  'guide.ready.fix': '움직이지 마세요. 곧 사진이 찍힙니다.',
  'guide.unreadable': '이 화면은 확인하지 못했습니다.',
  'guide.unreadable.fix': '잠시 후 다시 확인합니다.',
  'guide.unavailable': '지금은 실시간 안내를 쓸 수 없습니다. 직접 사진을 찍으세요.',
  'guide.busy': '실시간 안내가 바쁩니다. {seconds}초 후 다시 시도합니다. 직접 사진을 찍을 수도 있습니다.',
  'guide.taken': '화면이 알맞을 때 사진이 저절로 찍혔습니다. 분석하거나 다시 찍으세요.',

  'capture.title': '새 분석',
  'capture.intro':
    '얼굴 사진을 찍거나 고르세요. 고른 조명에서 카메라를 정면으로 보고, 가능하면 화장과 안경 없이 찍으세요.',
  'capture.useCamera': '카메라 사용',
  'capture.takePhoto': '사진 찍기',
  'capture.stopCamera': '카메라 닫기',
  'capture.chooseFile': '사진 고르기',
  'capture.analyse': '분석하기',
  'capture.retake': '다른 사진 고르기',
  'capture.cameraDenied': '카메라를 쓸 수 없습니다 ({reason}). 대신 사진 파일을 고르세요.',
  'capture.cameraUnsupported': '이 브라우저에서는 카메라를 쓸 수 없습니다. 대신 사진 파일을 고르세요.',
  'capture.cameraPermission':
    '카메라 접근이 거부되었습니다. 브라우저 설정에서 허용하거나 대신 사진 파일을 고르세요.',
  'capture.cameraNotFound': '카메라를 찾지 못했습니다. 대신 사진 파일을 고르세요.',
  'capture.preview': '고른 사진',
  'capture.analysing': '사진을 분석하는 중…',
  'capture.uploading': '업로드 및 분석 중… {seconds}초',

  'quality.refused': '사진을 분석할 수 없습니다',
  'quality.fixIntro': '이렇게 해 보세요:',
  'quality.warnings': '사진 품질 참고 사항',
  'quality.measured': '측정값 {value}, 기준 {threshold}.',
  'quality.measured.MULTIPLE_FACES': '얼굴이 {value}개 있습니다. 사진에는 최대 {threshold}개만 있어야 합니다.',
  'quality.measured.FACE_TOO_SMALL': '얼굴 너비가 {value}픽셀입니다. 최소 {threshold}픽셀이 필요합니다.',
  'quality.measured.IMAGE_TOO_SMALL': '사진의 짧은 변이 {value}픽셀입니다. 최소 {threshold}픽셀이 필요합니다.',
  'quality.measured.BLURRED': '선명도 {value}, 최소 {threshold} 필요 (높을수록 선명함).',
  'quality.measured.TOO_DARK': '밝기 {value} (0–255 기준), 최소 {threshold} 필요.',
  'quality.measured.TOO_BRIGHT': '밝기 {value} (0–255 기준), 최대 {threshold}까지 괜찮습니다.',
  'quality.measured.UNEVEN_LIGHTING': '얼굴 한쪽이 다른 쪽보다 {value}배 밝습니다. 최대 {threshold}배까지 괜찮습니다.',
  'quality.measured.FACE_TURNED': '얼굴이 옆으로 약 {value}° 돌아가 있습니다. 최대 {threshold}°까지 괜찮습니다.',
  'quality.measured.FACE_TILTED': '머리가 {value}° 기울어져 있습니다. 최대 {threshold}°까지 괜찮습니다.',
  'quality.measured.FACE_OFF_CENTER': '얼굴이 화면 가운데에서 {value}% 벗어나 있습니다. 최대 {threshold}%까지 괜찮습니다.',
  'quality.measured.FACE_MOVING': '지난 프레임 이후 얼굴이 폭의 {value}%만큼 움직였습니다. {threshold}% 이하여야 멈춘 것으로 봅니다.',
  'quality.measured.IMAGE_TOO_LARGE': '파일 크기가 {value}MB입니다. 최대 {threshold}MB까지 됩니다.',
  'quality.measured.IMAGE_TOO_MANY_PIXELS': '이미지가 {value}메가픽셀입니다. 최대 {threshold}메가픽셀까지 됩니다.',

  'result.title': '분석 결과',
  'result.takenAt': '{time}에 분석',
  'result.grade': '{grade}등급 (0–4 척도)',
  'result.expected': '점수 {score}: 기대 등급, 즉 0–4 등급을 아래 확률로 가중한 평균입니다 (등급은 가장 가능성이 높은 값).',
  'result.fromRegions': '등급을 낸 부위: {regions}.',
  'result.cannotEstimate': '이 사진으로는 판단할 수 없습니다',
  'result.cannotEstimateWhy':
    '이 사진에서는 이 항목을 판단할 만큼 모델이 확신하지 못해 등급을 표시하지 않습니다. 정면에서 밝고 고르게 찍은 선명한 사진이 도움이 됩니다.',
  'result.probabilities': '등급별 확률',
  'result.gradeLabel': '{grade}등급',
  'result.summary': '등급 한눈에 보기',
  'result.notSaved': '이 결과는 기록에 저장되지 못했습니다.',
  'result.heatmaps': '모델이 주목한 부분 (Grad-CAM)',
  'result.heatmapsIntro': '따뜻한 색일수록 선택한 항목의 등급에 크게 영향을 준 부분입니다.',
  'result.wholeFace': '얼굴 전체',
  'heatmap.legendLow': '영향 적음',
  'heatmap.legendHigh': '영향 큼',
  'heatmap.legendText': '노란색·빨간색 같은 따뜻한 색은 이 등급에 가장 크게 영향을 준 부분입니다. 그 부분의 피부가 더 나쁘다는 뜻은 아닙니다.',
  'result.byRegion': '부위별',
  'result.regionGrade': '{region}: {grade}등급',
  'result.regionOwnGrade': '{region}: {grade}등급, 따로 매긴 등급으로 카드의 등급에는 들어가지 않습니다',
  'result.regionsIntro':
    '{attribute} 카드의 등급은 {regions}의 등급 확률을 평균해 낸 것이라, 한 부위의 등급은 카드와 다를 수 있습니다.',
  'result.regionsIntroAbstained':
    '이 사진에서는 모델의 확신이 부족해 {attribute} 카드에 등급이 없습니다. 아래 부위별 등급은 참고용입니다.',
  'result.heatmapsFailed': '이번에는 히트맵을 만들지 못했습니다. 등급은 유효합니다.',
  'result.heatmapsNotStored': '히트맵은 분석 직후에만 보입니다. 기록에는 등급만 남습니다.',
  'result.heatmapsNotRequested': '이 분석에서는 히트맵을 요청하지 않았습니다.',
  'result.noHeatmap': '이 항목의 히트맵이 없습니다.',
  'result.newAnalysis': '새 분석',
  'result.demoResult': '데모 모델의 결과입니다: 실제 얼굴에는 의미가 없습니다.',
  'result.meaningScale': '등급은 0(가장 적음)부터 4(가장 뚜렷함)까지입니다.',

  'history.title': '기록',
  'history.empty': '아직 분석 기록이 없습니다.',
  'history.open': '보기',
  'history.delete': '삭제',
  'history.confirmDelete': '{time}의 분석을 삭제할까요? 되돌릴 수 없습니다.',
  'history.more': '더 보기',
  'history.deleted': '삭제했습니다.',

  'trends.title': '추이',
  'trends.attribute': '항목',
  'trends.bucket': '묶음 단위',
  'trends.bucket.NONE': '분석마다',
  'trends.bucket.DAY': '일',
  'trends.bucket.WEEK': '주',
  'trends.bucket.MONTH': '월',
  'trends.empty': '아직 분석이 없습니다. 첫 분석 후 그래프가 나타납니다.',
  'trends.score': '점수 (0–4)',
  'trends.range': '최저–최고',
  'trends.band': '재촬영 오차 범위',
  'trends.bandExplained':
    '음영 띠는 같은 피부를 다시 찍을 때(조명, 각도, 카메라) 점수가 흔들리는 범위입니다. 띠 안의 변화는 피부가 아니라 사진 차이일 수 있습니다.',
  'trends.noBand': '음영은 각 점에 포함된 분석들의 최저–최고 범위입니다. 이 모델에는 재촬영 오차 수치가 없어 실제 변화와 오차를 구별할 수 없습니다.',
  'trends.significant': '사진 오차를 넘는 실제 변화',
  'trends.noSignificant': '지금까지 재촬영 오차보다 큰 변화는 없습니다.',
  'trends.significantList': '재촬영 오차보다 큰 변화(삼각형): {dates}.',
  'trends.truncated': '최근 값만 표시합니다.',
  'trends.summary': '{attribute}: {first}부터 {last}까지 {count}개 점, 최근 점수 {latest} (4점 만점).',
  'trends.tableCaption': '그래프 각 점의 {attribute} 점수',
  'trends.colDate': '날짜',
  'trends.colScore': '점수 (0–4)',
  'trends.colCount': '분석 수',
  'trends.colChange': '오차를 넘는 변화',
  'trends.changeYes': '예',
  'trends.changeNo': '아니요',
  'trends.overviewTitle': '다섯 항목 한눈에 보기',
  'trends.overviewIntro': '다섯 항목의 점수를 같은 시간 축에 표시합니다. 자세히 보려면 위에서 항목을 고르세요.',
  'trends.overviewSummary': '다섯 항목의 시간에 따른 점수, 최근 점수(4점 만점): {latest}.',
  'trends.overviewLatest': '{attribute} {score}',

  'account.title': '계정',
  'account.user': '아이디: {user}',
  'account.deleteTitle': '계정 삭제',
  'account.deleteWarning': '계정과 저장된 모든 분석이 삭제됩니다. 되돌릴 수 없습니다.',
  'account.deleteConfirm': '되돌릴 수 없다는 것을 이해했습니다',
  'account.deletePassword': '비밀번호',
  'account.deleteButton': '계정 삭제하기',
  'account.wrongPassword': '비밀번호가 틀렸습니다.',
  'account.passwordTitle': '비밀번호 변경',
  'account.currentPassword': '현재 비밀번호',
  'account.newPassword': '새 비밀번호',
  'account.passwordButton': '비밀번호 바꾸기',
  'account.wrongCurrentPassword': '현재 비밀번호가 틀렸습니다.',
  'account.passwordChanged': '비밀번호를 바꿨습니다. 이 브라우저에서는 로그인 상태가 유지됩니다.',
  'account.sessionsRevoked': '다른 기기와 브라우저에서 로그아웃됨: {count}곳.',
  'account.exportTitle': '내 데이터 내보내기',
  'account.exportIntro': '저장된 모든 분석을 내려받습니다. 스프레드시트용 CSV 또는 모든 내용이 담긴 JSON.',
  'account.exportCsv': 'CSV 내려받기',
  'account.exportJson': 'JSON 내려받기',
  'account.exporting': '파일을 준비하는 중…',
  'account.exported': '{file} 파일을 내려받았습니다.',

  'error.network': '서버에 연결할 수 없습니다. 연결을 확인하고 다시 시도하세요.',
  'error.throttled': '시도가 너무 많습니다. {seconds}초 뒤에 다시 시도하세요.',
  'error.throttledSoon': '시도가 너무 많습니다. 잠시 뒤에 다시 시도하세요.',
  'error.unavailable': '서비스가 바쁘거나 사용할 수 없습니다. 잠시 뒤에 다시 시도하세요.',
  'error.timeout': '분석이 너무 오래 걸렸습니다. 다시 시도하세요.',
  'error.tooLarge': '사진이 너무 큽니다.',
  'error.unsupported': '지원하지 않는 이미지 파일입니다 (JPEG, PNG, WebP).',
  'error.notFound': '찾을 수 없습니다. 삭제되었을 수 있습니다.',
  'error.generic': '문제가 생겼습니다. 다시 시도하세요.',
  'error.badRequest': '요청을 처리할 수 없습니다. 입력한 내용을 확인하고 다시 시도하세요.',
  'error.forbidden': '허용되지 않는 작업입니다.',
  'error.busy': '지금 분석이 많이 진행 중입니다. {seconds}초 뒤에 다시 시도하세요.',
  'common.loading': '불러오는 중…',
  'common.cancel': '취소',

  'attr.oil': '유분',
  'attr.hydration': '수분',
  'attr.wrinkle': '주름',
  'attr.pigmentation': '색소',
  'attr.sensitivity': '민감도',

  'attr.oil.about': '피지와 번들거림.',
  'attr.hydration.about': '건조함: 등급이 높을수록 더 건조합니다.',
  'attr.wrinkle.about': '잔주름과 주름의 깊이, 길이, 개수.',
  'attr.pigmentation.about': '갈색 반점과 잡티.',
  'attr.sensitivity.about': '붉은기와 자극.',

  'grade.oil.0': '유분이 거의 없고 보송해 보입니다.',
  'grade.oil.1': '약간 유분이 있습니다.',
  'grade.oil.2': '보통 정도의 유분: 코와 이마 등에 약간 번들거립니다.',
  'grade.oil.3': '유분이 많음: 얼굴 여러 곳이 번들거립니다.',
  'grade.oil.4': '유분이 매우 많음: 얼굴 전체가 강하게 번들거립니다.',
  'grade.hydration.0': '수분이 충분하고 건조함이 보이지 않습니다.',
  'grade.hydration.1': '약간 건조합니다.',
  'grade.hydration.2': '보통 정도로 건조함: 거칠거나 각질이 조금 보입니다.',
  'grade.hydration.3': '건조함: 넓은 부위가 거칩니다.',
  'grade.hydration.4': '매우 건조함: 거칠음이나 각질이 뚜렷합니다.',
  'grade.wrinkle.0': '보이는 주름이 없습니다.',
  'grade.wrinkle.1': '잔주름이 조금 있습니다.',
  'grade.wrinkle.2': '잔주름이 눈에 띕니다.',
  'grade.wrinkle.3': '주름이 뚜렷합니다.',
  'grade.wrinkle.4': '깊거나 많은 주름이 있습니다.',
  'grade.pigmentation.0': '피부 톤이 고르고 반점이 없습니다.',
  'grade.pigmentation.1': '옅은 반점이 조금 있습니다.',
  'grade.pigmentation.2': '눈에 보이는 반점이 여러 개 있습니다.',
  'grade.pigmentation.3': '반점이 많거나 진합니다.',
  'grade.pigmentation.4': '넓고 진한 색소 침착이 있습니다.',
  'grade.sensitivity.0': '붉은기가 없습니다.',
  'grade.sensitivity.1': '약간 붉습니다.',
  'grade.sensitivity.2': '군데군데 보통 정도로 붉습니다.',
  'grade.sensitivity.3': '붉은기가 뚜렷합니다.',
  'grade.sensitivity.4': '붉은기가 강하고 넓게 퍼져 있습니다.',

  'region.full_face': '얼굴 전체',
  'region.forehead': '이마',
  'region.left_cheek': '왼쪽 볼',
  'region.right_cheek': '오른쪽 볼',
  'region.nose': '코',
  'region.chin': '턱',
  'region.left_eye_area': '왼쪽 눈가',
  'region.right_eye_area': '오른쪽 눈가',

  'reason.NO_FACE': '얼굴을 찾지 못했습니다.',
  'reason.NO_FACE.fix': '얼굴 전체가 화면에 들어오게 카메라를 정면으로 보세요.',
  'reason.MULTIPLE_FACES': '사진에 얼굴이 둘 이상 있습니다.',
  'reason.MULTIPLE_FACES.fix': '본인 얼굴만 나오게 찍으세요.',
  'reason.FACE_TOO_SMALL': '얼굴이 너무 작습니다.',
  'reason.FACE_TOO_SMALL.fix': '얼굴이 사진을 더 많이 채우도록 가까이 오세요.',
  'reason.BLURRED': '사진이 흐립니다.',
  'reason.BLURRED.fix': '카메라를 고정하고 초점이 맞은 뒤 다시 찍으세요.',
  'reason.TOO_DARK': '사진이 너무 어둡습니다.',
  'reason.TOO_DARK.fix': '더 밝은 곳으로 가거나 창을 바라보세요. 뒤에서 오는 빛은 피하세요.',
  'reason.TOO_BRIGHT': '사진이 너무 밝습니다.',
  'reason.TOO_BRIGHT.fix': '직사광선과 플래시를 피하고 부드럽고 고른 조명을 쓰세요.',
  'reason.UNEVEN_LIGHTING': '얼굴 한쪽이 다른 쪽보다 훨씬 밝습니다.',
  'reason.UNEVEN_LIGHTING.fix': '얼굴 양쪽에 빛이 고르게 닿도록 빛을 정면으로 받으세요.',
  'reason.FACE_TURNED': '얼굴이 옆으로 돌아가 있습니다.',
  'reason.FACE_TURNED.fix': '카메라를 정면으로 보세요.',
  'reason.FACE_TILTED': '머리가 기울어져 있습니다.',
  'reason.FACE_TILTED.fix': '머리를 똑바로 세우세요.',
  'reason.LOW_IMAGE_QUALITY': '이미지 품질이 낮습니다.',
  'reason.LOW_IMAGE_QUALITY.fix': '렌즈를 닦고, 디지털 줌과 심하게 압축된 이미지는 피하세요.',
  'reason.IMAGE_TOO_LARGE': '파일이 너무 큽니다.',
  'reason.IMAGE_TOO_LARGE.fix': '더 작은 사진을 쓰세요 (최대 15MB).',
  'reason.IMAGE_TOO_MANY_PIXELS': '이미지의 화소 수가 너무 많습니다.',
  'reason.IMAGE_TOO_MANY_PIXELS.fix': '해상도가 더 낮은 사진을 쓰세요.',
  'reason.IMAGE_TOO_SMALL': '사진이 너무 작습니다.',
  'reason.IMAGE_TOO_SMALL.fix': '해상도가 더 높은 사진을 쓰세요.',
  'reason.UNSUPPORTED_FORMAT': '지원하지 않는 이미지 파일입니다.',
  'reason.UNSUPPORTED_FORMAT.fix': 'JPEG, PNG 또는 WebP 사진을 쓰세요.',
  'reason.UNDECODABLE': '이미지를 읽을 수 없습니다.',
  'reason.UNDECODABLE.fix': '파일이 손상된 것 같습니다. 다른 사진을 찍거나 고르세요.',
  'reason.EMPTY_IMAGE': '빈 파일입니다.',
  'reason.EMPTY_IMAGE.fix': '사진 파일을 고르세요.',
  'reason.FACE_CUT_OFF': '얼굴 일부가 사진 밖에 있습니다.',
  'reason.FACE_CUT_OFF.fix': '얼굴 전체가 화면 안에 들어오도록 가운데에 두세요.',
  'reason.EYES_NOT_FOUND': '눈을 찾지 못했습니다.',
  'reason.EYES_NOT_FOUND.fix': '선글라스를 벗고 눈을 뜬 채 카메라를 보세요.',
  'reason.FACE_OFF_CENTER': '얼굴이 화면 가운데에 있지 않습니다.',
  'reason.FACE_OFF_CENTER.fix': '얼굴이 가운데에 오도록 카메라를 옮기세요.',
  'reason.FACE_MOVING': '얼굴이 움직이고 있습니다.',
  'reason.FACE_MOVING.fix': '잠시 움직이지 마세요.',
  'reason.UNKNOWN': '사진이 품질 검사를 통과하지 못했습니다.',
  'reason.UNKNOWN.fix': '밝은 곳에서 얼굴이 선명하게 나오도록 다시 찍으세요.',

  'footer.model': '모델 {version}',
};

export type Language = 'en' | 'ko';
export const TABLES: Record<Language, Record<MessageKey, string>> = { en, ko };

const STORAGE_KEY = 'skinlens.language';
let current: Language = 'en';

/** The language saved by the switch, else the first of the browser's languages that we have. */
export function detectLanguage(
  saved: string | null = safeLocalStorageGet(STORAGE_KEY),
  browser: readonly string[] = typeof navigator !== 'undefined' ? navigator.languages ?? [navigator.language] : [],
): Language {
  if (saved === 'en' || saved === 'ko') return saved;
  for (const tag of browser) {
    const primary = tag.toLowerCase().split('-')[0];
    if (primary === 'ko') return 'ko';
    if (primary === 'en') return 'en';
  }
  return 'en';
}

function safeLocalStorageGet(key: string): string | null {
  try {
    return typeof localStorage !== 'undefined' ? localStorage.getItem(key) : null;
  } catch {
    return null;
  }
}

/** Sets the language of t() and, when `remember`, saves it for the next visit. */
export function setLanguage(lang: Language, remember = false): void {
  current = lang;
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, lang);
    } catch {
      // Private mode without storage: the choice lasts for this page only.
    }
  }
}

export function language(): Language {
  return current;
}

/** Whether `key` names a message (for keys built from server enums, e.g. reasons). */
export function hasMessage(key: string): key is MessageKey {
  return key in en;
}

/** The message `key` in the current language, with {name} placeholders replaced. */
export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const template = TABLES[current][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

/** A date and time in the current language's format. */
export function formatTime(rfc3339: string | undefined): string {
  if (!rfc3339) return '';
  const date = new Date(rfc3339);
  if (Number.isNaN(date.getTime())) return rfc3339;
  return new Intl.DateTimeFormat(current === 'ko' ? 'ko-KR' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(date);
}

/** Items joined as a list in the current language ("A, B and C" / "A, B 및 C"). */
export function formatList(items: string[]): string {
  return new Intl.ListFormat(current === 'ko' ? 'ko-KR' : 'en-GB', { type: 'conjunction' }).format(items);
}

/** A number with `digits` decimals in the current language's format. */
export function formatNumber(value: number, digits = 1): string {
  return new Intl.NumberFormat(current === 'ko' ? 'ko-KR' : 'en-GB', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

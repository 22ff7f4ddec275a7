/** The username validators, as Django's `django.contrib.auth.validators`. */
import { regexValidator, type Validator } from '../../core/validators.ts';

/** Letters, digits and @/./+/-/_ of any script (the default of AbstractUser.username). */
export const unicodeUsernameValidator: Validator = regexValidator(
  /^[\p{L}\p{N}_.@+-]+$/u,
  'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
  'invalid',
);

/** English letters, digits and @/./+/-/_ only. */
export const asciiUsernameValidator: Validator = regexValidator(
  /^[A-Za-z0-9_.@+-]+$/,
  'Enter a valid username. This value may contain only English letters, numbers, and @/./+/-/_ characters.',
  'invalid',
);

/**
 * The auth checks, as Django's `django.contrib.auth.checks`, with Django's ids: the user model's
 * statics (auth.E001, E002), a unique username field (E003, or W004 with other backends), and
 * each model's permissions (E005 to E008, E011, E012).
 */
import { settings } from '../../conf/index.ts';
import { CheckMessage, ERROR, WARNING } from '../../core/checks/messages.ts';
import { getModels, type Options } from '../../db/models/index.ts';
import { getUserModelOptions } from './configured.ts';
import { builtinPermissions } from './management/index.ts';

/** The limits of Permission's columns (name 255, codename 100). */
const NAME_MAX = 255;
const CODENAME_MAX = 100;

/** auth.E001 to auth.W004: what ModelBackend and createsuperuser need of AUTH_USER_MODEL. */
export function checkUserModel(): CheckMessage[] {
  const meta = getUserModelOptions();
  const cls = meta.model as unknown as { USERNAME_FIELD: string; REQUIRED_FIELDS: unknown };
  const errors: CheckMessage[] = [];
  if (!Array.isArray(cls.REQUIRED_FIELDS)) {
    errors.push(new CheckMessage(ERROR, "'REQUIRED_FIELDS' must be a list.", { obj: meta.label, id: 'auth.E001' }));
  } else if (cls.REQUIRED_FIELDS.includes(cls.USERNAME_FIELD)) {
    errors.push(
      new CheckMessage(
        ERROR,
        "The field named as the 'USERNAME_FIELD' for a custom user model must not be included in 'REQUIRED_FIELDS'.",
        {
          hint: `The 'USERNAME_FIELD' is currently set to '${cls.USERNAME_FIELD}', you should remove '${cls.USERNAME_FIELD}' from the 'REQUIRED_FIELDS'.`,
          obj: meta.label,
          id: 'auth.E002',
        },
      ),
    );
  }
  const field = meta.findField(cls.USERNAME_FIELD);
  const uniqueByConstraint = meta.constraints.some(
    (c) =>
      (c as { fields?: readonly string[]; condition?: unknown }).condition === undefined &&
      JSON.stringify((c as { fields?: readonly string[] }).fields) === JSON.stringify([cls.USERNAME_FIELD]),
  );
  if (field !== undefined && !field.unique && !uniqueByConstraint) {
    const backends = settings.AUTHENTICATION_BACKENDS as readonly string[];
    const onlyModelBackend =
      backends.length === 1 &&
      ['tsgi.contrib.auth.backends.ModelBackend', 'django.contrib.auth.backends.ModelBackend'].includes(backends[0]!);
    errors.push(
      onlyModelBackend
        ? new CheckMessage(
            ERROR,
            `'${meta.objectName}.${cls.USERNAME_FIELD}' must be unique because it is named as the 'USERNAME_FIELD'.`,
            { obj: meta.label, id: 'auth.E003' },
          )
        : new CheckMessage(
            WARNING,
            `'${meta.objectName}.${cls.USERNAME_FIELD}' is named as the 'USERNAME_FIELD', but it is not unique.`,
            {
              hint: 'Ensure that your authentication backend(s) can handle non-unique usernames.',
              obj: meta.label,
              id: 'auth.W004',
            },
          ),
    );
  }
  return errors;
}

function chars(text: string): number {
  return [...text].length;
}

/** auth.E005 to E012: the permissions each model would get fit Permission's columns and do not clash. */
export function checkModelsPermissions(): CheckMessage[] {
  const errors: CheckMessage[] = [];
  for (const meta of getModels()) {
    if (meta.autoCreated) continue;
    errors.push(...checkPermissionsOf(meta));
  }
  return errors;
}

function checkPermissionsOf(meta: Options): CheckMessage[] {
  const errors: CheckMessage[] = [];
  const builtin = new Map(builtinPermissions(meta));
  const longestName = Math.max(0, ...[...builtin.values()].map(chars));
  if (longestName > NAME_MAX) {
    const limit = NAME_MAX - (longestName - chars(meta.verboseName));
    errors.push(
      new CheckMessage(
        ERROR,
        `The verbose_name of model '${meta.label}' must be at most ${limit} characters for its builtin permission names to be at most ${NAME_MAX} characters.`,
        { obj: meta.label, id: 'auth.E007' },
      ),
    );
  }
  const longestCodename = Math.max(0, ...[...builtin.keys()].map(chars));
  if (longestCodename > CODENAME_MAX) {
    const limit = CODENAME_MAX - (longestCodename - chars(meta.modelName));
    errors.push(
      new CheckMessage(
        ERROR,
        `The name of model '${meta.label}' must be at most ${limit} characters for its builtin permission codenames to be at most ${CODENAME_MAX} characters.`,
        { obj: meta.label, id: 'auth.E011' },
      ),
    );
  }
  const seen = new Set<string>();
  for (const [codename, name] of meta.permissions) {
    if (chars(name) > NAME_MAX) {
      errors.push(
        new CheckMessage(
          ERROR,
          `The permission named '${name}' of model '${meta.label}' is longer than ${NAME_MAX} characters.`,
          { obj: meta.label, id: 'auth.E008' },
        ),
      );
    }
    if (chars(codename) > CODENAME_MAX) {
      errors.push(
        new CheckMessage(
          ERROR,
          `The permission codenamed '${codename}' of model '${meta.label}' is longer than ${CODENAME_MAX} characters.`,
          { obj: meta.label, id: 'auth.E012' },
        ),
      );
    }
    if (builtin.has(codename)) {
      errors.push(
        new CheckMessage(
          ERROR,
          `The permission codenamed '${codename}' clashes with a builtin permission for model '${meta.label}'.`,
          { obj: meta.label, id: 'auth.E005' },
        ),
      );
    } else if (seen.has(codename)) {
      errors.push(
        new CheckMessage(ERROR, `The permission codenamed '${codename}' is duplicated for model '${meta.label}'.`, {
          obj: meta.label,
          id: 'auth.E006',
        }),
      );
    }
    seen.add(codename);
  }
  return errors;
}

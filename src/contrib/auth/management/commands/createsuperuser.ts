/**
 * `manage.ts createsuperuser`: creates a superuser, as Django's command. Interactive in a
 * terminal (username, the model's REQUIRED_FIELDS, a password typed twice and validated); with
 * `--noinput`, from the options and the environment (`TSGI_SUPERUSER_PASSWORD`,
 * `TSGI_SUPERUSER_<FIELD>`; Django's `DJANGO_SUPERUSER_*` names work too), without a password
 * when none is given (the user cannot log in until one is set).
 */
import { userInfo } from 'node:os';
import { ValidationError } from '../../../../core/exceptions.ts';
import { CommandError, defineCommand, type OptionSpec } from '../../../../core/management/base.ts';
import { DEFAULT_DB_ALIAS } from '../../../../db/connections.ts';
import type { AnyField } from '../../../../db/models/index.ts';
import { getUserModel, getUserModelOptions, type UserModelClass } from '../../configured.ts';
import { validatePassword } from '../../password-validation.ts';
import { getPass, isInteractive, type AuthCommandIO } from '../prompt.ts';

type SuperuserModel = UserModelClass & {
  REQUIRED_FIELDS: readonly string[];
  objects: {
    using(alias: string): { get(lookups: object): Promise<object> };
    createSuperuser(fields: Record<string, unknown>, options: { using?: string }): Promise<object>;
  };
};

const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const capfirst = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The flags of the user model's username and required fields (`--username`, `--email`...). */
function fieldOptions(): Record<string, OptionSpec> {
  let UserModel: SuperuserModel;
  try {
    UserModel = getUserModel<SuperuserModel>();
  } catch {
    // Settings not loaded yet (the module imported early): auth.User's fields.
    return {
      username: { type: 'string', help: 'Specifies the login for the superuser.' },
      email: { type: 'string', help: 'Specifies the email for the superuser.' },
    };
  }
  const options: Record<string, OptionSpec> = {
    [kebab(UserModel.USERNAME_FIELD)]: { type: 'string', help: 'Specifies the login for the superuser.' },
  };
  for (const name of UserModel.REQUIRED_FIELDS) {
    options[kebab(name)] = { type: 'string', help: `Specifies the ${name} for the superuser.` };
  }
  return options;
}

/** The environment variable of a field: TSGI_SUPERUSER_EMAIL (or Django's DJANGO_SUPERUSER_EMAIL). */
function fromEnvironment(name: string): string | undefined {
  const suffix = kebab(name).replace(/-/g, '_').toUpperCase();
  return process.env[`TSGI_SUPERUSER_${suffix}`] ?? process.env[`DJANGO_SUPERUSER_${suffix}`];
}

/** The system user's name as a default username, when it is valid and not taken (Django's get_default_username). */
async function defaultUsername(UserModel: SuperuserModel, field: AnyField, database: string): Promise<string> {
  if (getUserModelOptions().label !== 'auth.User') return '';
  let name: string;
  try {
    name = userInfo()
      .username.normalize('NFKD')
      .replace(/[^\x20-\x7e]/g, '')
      .replace(/ /g, '')
      .toLowerCase();
  } catch {
    return '';
  }
  if (name === '') return '';
  try {
    for (const validator of field.validators) validator(name);
  } catch {
    return '';
  }
  try {
    await UserModel.objects.using(database).get({ [UserModel.USERNAME_FIELD]: name });
    return '';
  } catch (error) {
    if (error instanceof UserModel.DoesNotExist) return name;
    throw error;
  }
}

const command = defineCommand({
  help: 'Used to create a superuser.',
  options: {
    noinput: {
      type: 'boolean',
      default: false,
      help: 'Do NOT prompt for input of any kind. Give the username and every required field as options (or TSGI_SUPERUSER_* variables); without TSGI_SUPERUSER_PASSWORD the superuser cannot log in until given a password.',
    },
    database: {
      type: 'string',
      default: DEFAULT_DB_ALIAS,
      help: 'Specifies the database to use. Default is "default".',
    },
  },
  async handle(options, io) {
    const UserModel = getUserModel<SuperuserModel>();
    const meta = getUserModelOptions();
    const values = options as unknown as Record<string, string | boolean | undefined>;
    const database = String(values.database);
    const usernameField = meta.getField(UserModel.USERNAME_FIELD);
    const verbose = usernameField.label;
    const data: Record<string, unknown> = {};
    const hasPassword = meta.findField('password') !== undefined;
    if (hasPassword) data.password = null;

    const checkUsername = async (username: string): Promise<string | undefined> => {
      if (usernameField.unique) {
        try {
          await UserModel.objects.using(database).get({ [UserModel.USERNAME_FIELD]: username });
          return `Error: That ${verbose} is already taken.`;
        } catch (error) {
          if (!(error instanceof UserModel.DoesNotExist)) throw error;
        }
      }
      if (!username) return `${capfirst(verbose)} cannot be blank.`;
      try {
        usernameField.clean(username, null);
      } catch (error) {
        if (error instanceof ValidationError) return error.messages.join('; ');
        throw error;
      }
      return undefined;
    };
    const clean = (field: AnyField, raw: string): unknown => {
      try {
        return field.clean(raw, null);
      } catch (error) {
        if (error instanceof ValidationError) {
          io.stderr.write(`Error: ${error.messages.join('; ')}\n`);
          return undefined;
        }
        throw error;
      }
    };
    let username = values[UserModel.USERNAME_FIELD] as string | undefined;

    if (!values.noinput) {
      if (!isInteractive(io as AuthCommandIO)) {
        io.stdout.write(
          'Superuser creation skipped due to not running in a TTY. You can run `manage.ts createsuperuser` in your project to create one manually.\n',
        );
        return;
      }
      const fallback = await defaultUsername(UserModel, usernameField, database);
      if (username) {
        const error = await checkUsername(username);
        if (error !== undefined) {
          io.stderr.write(`${error}\n`);
          username = undefined;
        }
      } else if (username === '') {
        throw new CommandError(`${capfirst(verbose)} cannot be blank.`);
      }
      while (username === undefined) {
        const question = `${capfirst(verbose)}${fallback ? ` (leave blank to use '${fallback}')` : ''}: `;
        let answer = await io.prompt(question);
        if (answer === '' && fallback) answer = fallback;
        const value = clean(usernameField, answer);
        if (value === undefined || value === '') {
          if (value === '') io.stderr.write(`${capfirst(verbose)} cannot be blank.\n`);
          continue;
        }
        const error = await checkUsername(String(value));
        if (error !== undefined) {
          io.stderr.write(`${error}\n`);
          continue;
        }
        username = String(value);
      }
      data[UserModel.USERNAME_FIELD] = username;
      for (const name of UserModel.REQUIRED_FIELDS) {
        const field = meta.getField(name);
        let value: unknown = values[name];
        while (value === undefined || value === null) {
          value = clean(field, await io.prompt(`${capfirst(field.label)}: `));
        }
        data[name] = value;
      }
      while (hasPassword && data.password === null) {
        const password = await getPass(io as AuthCommandIO, 'Password: ');
        const again = await getPass(io as AuthCommandIO, 'Password (again): ');
        if (password !== again) {
          io.stderr.write("Error: Your passwords didn't match.\n");
          continue;
        }
        if (password.trim() === '') {
          io.stderr.write("Error: Blank passwords aren't allowed.\n");
          continue;
        }
        try {
          validatePassword(again, new UserModel(data));
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          io.stderr.write(`${error.messages.join('\n')}\n`);
          const bypass = await io.prompt('Bypass password validation and create user anyway? [y/N]: ');
          if (bypass.toLowerCase() !== 'y') continue;
        }
        data.password = password;
      }
    } else {
      const envPassword = fromEnvironment('password');
      if (hasPassword && envPassword !== undefined) data.password = envPassword;
      username ??= fromEnvironment(UserModel.USERNAME_FIELD);
      if (username === undefined)
        throw new CommandError(`You must use --${kebab(UserModel.USERNAME_FIELD)} with --noinput.`);
      const error = await checkUsername(username);
      if (error !== undefined) throw new CommandError(error);
      data[UserModel.USERNAME_FIELD] = username;
      for (const name of UserModel.REQUIRED_FIELDS) {
        const value = (values[name] as string | undefined) || fromEnvironment(name);
        if (!value) throw new CommandError(`You must use --${kebab(name)} with --noinput.`);
        try {
          data[name] = meta.getField(name).clean(value, null);
        } catch (error) {
          if (error instanceof ValidationError) throw new CommandError(error.messages.join('; '));
          throw error;
        }
      }
    }
    try {
      await UserModel.objects.createSuperuser(data, { using: database });
    } catch (error) {
      if (error instanceof ValidationError) throw new CommandError(error.messages.join('; '));
      throw error;
    }
    if (options.verbosity >= 1) io.stdout.write('Superuser created successfully.\n');
  },
});
// The user model's fields are flags too (`--username`, `--email`, `--date-of-birth`): read from
// AUTH_USER_MODEL when the command line is parsed, not when this module loads.
const declared = command.options;
Object.defineProperty(command, 'options', { get: () => ({ ...declared, ...fieldOptions() }), enumerable: true });
export default command;

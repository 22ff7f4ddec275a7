/** `manage.ts changepassword [username]`: sets a user's password, as Django's `changepassword`. */
import { userInfo } from 'node:os';
import { DEFAULT_DB_ALIAS } from '../../../../db/connections.ts';
import { ValidationError } from '../../../../core/exceptions.ts';
import { CommandError, defineCommand } from '../../../../core/management/base.ts';
import { getUserModel, type UserModelClass } from '../../configured.ts';
import { validatePassword } from '../../password-validation.ts';
import { getPass, type AuthCommandIO } from '../prompt.ts';

const MAX_TRIES = 3;

type PasswordUser = object & { setPassword(raw: string): Promise<void>; save(): Promise<void> };

const command = defineCommand({
  help: "Change a user's password for tsgi.contrib.auth.",
  requiresSystemChecks: [],
  positionals: [
    {
      name: 'username',
      help: "Username to change password for; by default, it's the current username.",
      optional: true,
    },
  ],
  options: {
    database: {
      type: 'string',
      default: DEFAULT_DB_ALIAS,
      help: 'Specifies the database to use. Default is "default".',
    },
  },
  async handle({ args, database }, io) {
    const UserModel = getUserModel<
      UserModelClass & { objects: { using(alias: string): { get(l: object): Promise<object> } } }
    >();
    const username = (args.username as string | undefined) || userInfo().username;
    let user: PasswordUser;
    try {
      user = (await UserModel.objects.using(database).get({ [UserModel.USERNAME_FIELD]: username })) as PasswordUser;
    } catch (error) {
      if (error instanceof UserModel.DoesNotExist) throw new CommandError(`user '${username}' does not exist`);
      throw error;
    }
    io.stdout.write(`Changing password for user '${String(user)}'\n`);
    const ask = async (question: string) => {
      const answer = await getPass(io as AuthCommandIO, question);
      if (!answer) throw new CommandError('aborted');
      return answer;
    };
    let count = 0;
    let password: string | undefined;
    while (password === undefined && count < MAX_TRIES) {
      const p1 = await ask('Password: ');
      const p2 = await ask('Password (again): ');
      if (p1 !== p2) {
        io.stdout.write('Passwords do not match. Please try again.\n');
        count++;
        continue;
      }
      try {
        validatePassword(p2, user);
        password = p1;
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        io.stderr.write(`${error.messages.join('\n')}\n`);
        count++;
      }
    }
    if (password === undefined) {
      throw new CommandError(`Aborting password change for user '${String(user)}' after ${count} attempts`);
    }
    await user.setPassword(password);
    await user.save();
    io.stdout.write(`Password changed successfully for user '${String(user)}'\n`);
  },
});
export default command;

/**
 * What `makemigrations` asks (Django's questioners): whether a change is a rename, and what
 * existing rows get when a column becomes NOT NULL without a default. On a terminal it asks;
 * with `--noinput` it takes the safe answer (a rename is a removal and an addition) or stops
 * when there is none (a NOT NULL column without default cannot be added to existing rows).
 */
import type { AnyField } from '../models/fields/base.ts';
import { now } from '../../utils/timezone.ts';

/** No default was given: the field stays as it is (a NULL may then fail at migrate). */
export const NOT_PROVIDED = Symbol('tsgi.migrations.notProvided');

/** makemigrations cannot go on without an answer it may not guess. */
export class QuestionerError extends Error {
  override name = 'QuestionerError';
  /** The exit status (Django exits 3 when --noinput meets such a question). */
  readonly exitCode: number;

  constructor(message: string, exitCode = 3) {
    super(message);
    this.exitCode = exitCode;
  }
}

export interface Questioner {
  /** Whether an app without migrations gets an initial one. */
  askInitial(appLabel: string): boolean;
  /** Whether a removed model and an added one are a rename. */
  askRenameModel(appLabel: string, oldName: string, newName: string): Promise<boolean>;
  /** Whether a removed field and an added one are a rename. */
  askRename(modelName: string, oldName: string, newName: string, field: AnyField): Promise<boolean>;
  /** The one-off default of a new NOT NULL field without one. */
  askNotNullAddition(fieldName: string, modelName: string): Promise<unknown>;
  /** The one-off default for the NULLs of a field becoming NOT NULL, or NOT_PROVIDED. */
  askNotNullAlteration(fieldName: string, modelName: string): Promise<unknown>;
}

/** The answers without a terminal: no renames, new initial migrations only for the apps named or with an empty migrations folder. */
export class NonInteractiveQuestioner implements Questioner {
  readonly specifiedApps: ReadonlySet<string>;
  readonly emptyMigrationFolders: ReadonlySet<string>;

  constructor(options: { specifiedApps?: Iterable<string>; emptyMigrationFolders?: Iterable<string> } = {}) {
    this.specifiedApps = new Set(options.specifiedApps ?? []);
    this.emptyMigrationFolders = new Set(options.emptyMigrationFolders ?? []);
  }

  askInitial(appLabel: string): boolean {
    return this.specifiedApps.has(appLabel) || this.emptyMigrationFolders.has(appLabel);
  }

  async askRenameModel(_appLabel: string, _oldName: string, _newName: string): Promise<boolean> {
    return false;
  }

  async askRename(_modelName: string, _oldName: string, _newName: string, _field: AnyField): Promise<boolean> {
    return false;
  }

  async askNotNullAddition(fieldName: string, modelName: string): Promise<unknown> {
    throw new QuestionerError(
      `It is impossible to add a non-nullable field '${fieldName}' to ${modelName} without a default: the database needs something to populate existing rows. ` +
        'Give the field a default, or { null: true }, or run makemigrations on a terminal (without --noinput) to give a one-off default.',
    );
  }

  async askNotNullAlteration(_fieldName: string, _modelName: string): Promise<unknown> {
    return NOT_PROVIDED;
  }
}

/** Parses a one-off default: JSON, or `now` for the current date and time. */
export function parseDefault(answer: string): unknown {
  const trimmed = answer.trim();
  if (trimmed === 'now' || trimmed === 'now()') return now;
  return JSON.parse(trimmed) as unknown;
}

/** The questions asked on a terminal, as Django's InteractiveMigrationQuestioner. */
export class InteractiveQuestioner extends NonInteractiveQuestioner {
  readonly #prompt: (question: string) => Promise<string>;
  readonly #write: (text: string) => void;

  constructor(
    prompt: (question: string) => Promise<string>,
    write: (text: string) => void,
    options: { specifiedApps?: Iterable<string>; emptyMigrationFolders?: Iterable<string> } = {},
  ) {
    super(options);
    this.#prompt = prompt;
    this.#write = write;
  }

  async #yes(question: string): Promise<boolean> {
    for (;;) {
      const answer = (await this.#prompt(`${question} [y/N] `)).trim().toLowerCase();
      if (answer === '' || answer === 'n' || answer === 'no') return false;
      if (answer === 'y' || answer === 'yes') return true;
      this.#write('Please answer yes or no: ');
    }
  }

  override askRenameModel(appLabel: string, oldName: string, newName: string): Promise<boolean> {
    return this.#yes(`Did you rename the ${appLabel}.${oldName} model to ${newName}?`);
  }

  override askRename(modelName: string, oldName: string, newName: string, field: AnyField): Promise<boolean> {
    return this.#yes(
      `Did you rename ${modelName}.${oldName} to ${modelName}.${newName} (a ${field.constructor.name})?`,
    );
  }

  async #oneOff(intro: string, quitText: string, allowLeave: boolean): Promise<unknown> {
    this.#write(`${intro}\nPlease select a fix:\n`);
    this.#write(
      ' 1) Provide a one-off default now (will be set on all existing rows with a null value for this column)\n',
    );
    if (allowLeave) {
      this.#write(
        ' 2) Ignore for now, and let me handle existing rows with NULL myself (e.g. because you added a RunCode or RunSQL operation to handle NULL values in a previous data migration)\n',
      );
    }
    this.#write(` ${allowLeave ? 3 : 2}) ${quitText}\n`);
    for (;;) {
      const choice = (await this.#prompt('Select an option: ')).trim();
      if (choice === '1') break;
      if (allowLeave && choice === '2') return NOT_PROVIDED;
      if (choice === (allowLeave ? '3' : '2'))
        throw new QuestionerError('Stopped: give the field a default in its model and run makemigrations again.');
      this.#write(`Please select a valid option: `);
    }
    this.#write(
      "Please enter the default value now, as a JSON value (text in double quotes, a number, true, false, null), or now for the current date and time.\nType 'exit' to exit this prompt\n",
    );
    for (;;) {
      const answer = await this.#prompt('>>> ');
      if (answer.trim() === 'exit')
        throw new QuestionerError('Stopped: give the field a default in its model and run makemigrations again.');
      if (answer.trim() === '') {
        this.#write("Please enter some code, or 'exit' (without quotes) to exit.\n");
        continue;
      }
      try {
        return parseDefault(answer);
      } catch (error) {
        this.#write(`Invalid input: ${(error as Error).message}\n`);
      }
    }
  }

  override askNotNullAddition(fieldName: string, modelName: string): Promise<unknown> {
    return this.#oneOff(
      `You are trying to add a non-nullable field '${fieldName}' to ${modelName} without a default; we can't do that (the database needs something to populate existing rows).`,
      'Quit, and let me add a default in models.ts',
      false,
    );
  }

  override askNotNullAlteration(fieldName: string, modelName: string): Promise<unknown> {
    return this.#oneOff(
      `You are trying to change the nullable field '${fieldName}' on ${modelName} to non-nullable without a default; we can't do that (the database needs something to populate existing rows).`,
      'Quit, and let me add a default in models.ts',
      true,
    );
  }
}

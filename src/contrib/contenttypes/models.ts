/**
 * `ContentType`, as Django's `django.contrib.contenttypes`: one row per installed model
 * (`app_label`, `model`), in Django's table `django_content_type`, so that other rows
 * (permissions) can point at a model. The manager caches the rows it has read, per database.
 */
import { settingChanged } from '../../conf/index.ts';
import { DEFAULT_DB_ALIAS } from '../../db/connections.ts';
import { CharField, getModel, LookupError, Manager, Model, type Options } from '../../db/models/index.ts';

/** A model class, or its metadata. */
type ModelLike = { _meta: Options } | Options;

function optionsOf(model: ModelLike): Options {
  return 'appLabel' in model && 'modelName' in model ? (model as Options) : (model as { _meta: Options })._meta;
}

/** `ContentType.objects`: get-or-create per model, through a cache per database. */
export class ContentTypeManager extends Manager<ContentType> {
  readonly #cache = new Map<string, Map<string | number, ContentType>>();

  #cached(using: string, key: string | number): ContentType | undefined {
    return this.#cache.get(using)?.get(key);
  }

  #remember(using: string, ct: ContentType): ContentType {
    let byKey = this.#cache.get(using);
    if (byKey === undefined) this.#cache.set(using, (byKey = new Map()));
    byKey.set(`${ct.appLabel}.${ct.model}`, ct);
    byKey.set(ct.id, ct);
    return ct;
  }

  /** The content type of `(appLabel, model)`, from the cache or the database. */
  async getByNaturalKey(appLabel: string, model: string, options: { using?: string } = {}): Promise<ContentType> {
    const using = options.using ?? DEFAULT_DB_ALIAS;
    const cached = this.#cached(using, `${appLabel}.${model}`);
    if (cached !== undefined) return cached;
    return this.#remember(using, await this.using(using).get({ appLabel, model }));
  }

  /**
   * The content type of a model (its class or its metadata), created when the database has
   * none yet; read from the database once per process, then from the cache.
   *
   * @example const ct = await ContentType.objects.getForModel(Post);
   */
  async getForModel(model: ModelLike, options: { using?: string } = {}): Promise<ContentType> {
    const using = options.using ?? DEFAULT_DB_ALIAS;
    const meta = optionsOf(model);
    const cached = this.#cached(using, `${meta.appLabel}.${meta.modelName}`);
    if (cached !== undefined) return cached;
    const [ct] = await this.using(using).getOrCreate({ appLabel: meta.appLabel, model: meta.modelName });
    return this.#remember(using, ct);
  }

  /** The content types of several models, in one query for those not cached. */
  async getForModels(
    models: readonly ModelLike[],
    options: { using?: string } = {},
  ): Promise<Map<ModelLike, ContentType>> {
    const using = options.using ?? DEFAULT_DB_ALIAS;
    const out = new Map<ModelLike, ContentType>();
    const needed = new Map<string, ModelLike[]>();
    for (const model of models) {
      const meta = optionsOf(model);
      const key = `${meta.appLabel}.${meta.modelName}`;
      const cached = this.#cached(using, key);
      if (cached !== undefined) out.set(model, cached);
      else needed.set(key, [...(needed.get(key) ?? []), model]);
    }
    if (needed.size === 0) return out;
    const metas = [...needed.values()].map((list) => optionsOf(list[0]!));
    const found = await this.using(using).filter({
      appLabel__in: [...new Set(metas.map((m) => m.appLabel))],
      model__in: [...new Set(metas.map((m) => m.modelName))],
    });
    for (const ct of found) {
      const key = `${ct.appLabel}.${ct.model}`;
      for (const model of needed.get(key) ?? []) out.set(model, this.#remember(using, ct));
      needed.delete(key);
    }
    for (const list of needed.values()) {
      const meta = optionsOf(list[0]!);
      const ct = this.#remember(
        using,
        await this.using(using).create({ appLabel: meta.appLabel, model: meta.modelName }),
      );
      for (const model of list) out.set(model, ct);
    }
    return out;
  }

  /** The content type of an id, from the cache or the database (never created). */
  async getForId(id: number, options: { using?: string } = {}): Promise<ContentType> {
    const using = options.using ?? DEFAULT_DB_ALIAS;
    return this.#cached(using, id) ?? this.#remember(using, await this.using(using).get({ pk: id }));
  }

  /** Forgets every cached content type (after the table changed under the process: a flush, a new database). */
  clearCache(): void {
    this.#cache.clear();
  }
}

/**
 * A model, as a row: its app label and lower-case name.
 *
 * @example
 * const ct = await ContentType.objects.getForModel(Post);
 * ct.modelClass() === Post; // true
 */
export class ContentType extends Model.define(
  {
    appLabel: new CharField({ maxLength: 100, dbColumn: 'app_label', verboseName: 'app label' }),
    model: new CharField({ maxLength: 100, verboseName: 'python model class name' }),
  },
  {
    appLabel: 'contenttypes',
    dbTable: 'django_content_type',
    uniqueTogether: [['appLabel', 'model']],
    verboseName: 'content type',
    verboseNamePlural: 'content types',
  },
) {
  static override objects: ContentTypeManager = new ContentTypeManager(this);

  /** The model's metadata, or null when the model no longer exists. */
  modelOptions(): Options | null {
    try {
      return getModel(this.appLabel, this.model);
    } catch (error) {
      if (error instanceof LookupError) return null;
      throw error;
    }
  }

  /** The model class, or null when it no longer exists. */
  modelClass(): unknown {
    return this.modelOptions()?.model ?? null;
  }

  /** The model's verbose name (`'blog post'`), or the stored name when the model is gone. */
  get name(): string {
    return this.modelOptions()?.verboseName ?? this.model;
  }

  /** `'blog | blog post'`. */
  get appLabeledName(): string {
    const meta = this.modelOptions();
    return meta === null ? this.model : `${meta.appLabel} | ${meta.verboseName}`;
  }

  /** An object of this type (`get()` on its default manager). */
  getObjectForThisType(lookups: Record<string, unknown>): Promise<unknown> {
    const meta = this.modelOptions();
    if (meta === null) throw new LookupError(`The model ${this.appLabel}.${this.model} no longer exists.`);
    return meta.defaultManager.get(lookups as never);
  }

  naturalKey(): [string, string] {
    return [this.appLabel, this.model];
  }

  override toString(): string {
    return this.appLabeledName;
  }
}

// A new database (DATABASES changed, as tests do) has other rows: the cache would lie.
settingChanged.connect(({ setting }) => {
  if (setting === 'DATABASES') ContentType.objects.clearCache();
});

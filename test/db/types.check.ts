// Type-level tests of the model declarations (compiled by `npm run typecheck`, never run): the
// instance and queryset types are inferred from the fields given to Model.define(). Each
// `@ts-expect-error` is a mistake the compiler must catch.
import {
  CASCADE,
  CharField,
  Count,
  DateTimeField,
  type Decimal,
  DecimalField,
  ForeignKey,
  IntegerField,
  JSONField,
  Manager,
  ManyToManyField,
  Model,
  Q,
  SET_NULL,
  Sum,
  type ManyRelated,
  type RelatedSet,
  type ZonedDateTime,
} from '../../src/db/models/index.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** `expect<Type>()(value)` compiles only when the value's type is exactly Type. */
function expect<E>(): <A>(value: A, ...proof: Equal<A, E> extends true ? [] : ['the types differ']) => void {
  return () => {};
}

class Author extends Model.define({ name: new CharField({ maxLength: 100 }) }, { appLabel: 'types' }) {
  static override objects = new Manager(this);
  declare posts: RelatedSet<Post>;
}
class Category extends Model.define({ name: new CharField({ maxLength: 50 }) }, { appLabel: 'types' }) {}
class Tag extends Model.define({ label: new CharField({ maxLength: 20 }) }, { appLabel: 'types' }) {}

class Post extends Model.define(
  {
    title: new CharField({ maxLength: 200 }),
    views: new IntegerField({ default: 0 }),
    rating: new DecimalField({ maxDigits: 5, decimalPlaces: 2, null: true }),
    publishedAt: new DateTimeField({ null: true }),
    author: new ForeignKey(() => Author, { onDelete: CASCADE }),
    category: new ForeignKey(() => Category, { onDelete: SET_NULL, null: true }),
    data: new JSONField({ null: true }),
    tags: new ManyToManyField(() => Tag),
  },
  { appLabel: 'types' },
) {
  static override objects = new Manager(this);
  get shout(): string {
    return this.title.toUpperCase();
  }
}

export async function instances(): Promise<void> {
  const post = await Post.objects.get({ pk: 1 });
  expect<string>()(post.title);
  expect<number>()(post.views);
  expect<Decimal | null>()(post.rating);
  expect<ZonedDateTime | null>()(post.publishedAt);
  expect<number>()(post.id);
  expect<number>()(post.pk);
  expect<number>()(post.authorId);
  expect<number | null>()(post.categoryId);
  expect<string>()(post.shout);
  // A ForeignKey is the related object once loaded, a promise of it before: await it.
  expect<Author | Promise<Author>>()(post.author);
  const author = await post.author;
  expect<Author>()(author);
  expect<Category | null>()(await post.category);
  expect<ManyRelated<Tag>>()(post.tags);
  post.author = author;
  post.title = 'new';
  // @ts-expect-error a title is a string
  post.title = 5;
  // @ts-expect-error a ForeignKey takes its model's instances
  post.author = new Category();
  // @ts-expect-error many-to-many managers are not assigned
  post.tags = [];
  const posts = await author.posts.all();
  expect<Post[]>()(posts);
}

export function lookups(): void {
  Post.objects.filter({ title__icontains: 'orm', views__gte: 10, rating__isnull: true });
  Post.objects.filter({ author__name__startswith: 'A', category: null, publishedAt__year__gte: 2020 });
  Post.objects.filter({ views__in: [1, 2], views__range: [1, 9], publishedAt__date: '2024-01-01' });
  Post.objects.filter({ data__owner__name: 'ann', tags__label: 'x', authorId: 1, id__gt: 3 });
  Post.objects.exclude(Q({ title: 'a' }).or({ title: 'b' }));
  Author.objects.filter({ posts__title__contains: 'x' });
  // @ts-expect-error no such field
  Post.objects.filter({ titel: 'x' });
  // @ts-expect-error views is a number
  Post.objects.filter({ views: 'many' });
  // @ts-expect-error no such lookup on the related model
  Post.objects.filter({ author__nme: 'x' });
  // @ts-expect-error in takes a list
  Post.objects.filter({ views__in: 3 });
  // @ts-expect-error isnull takes a boolean
  Post.objects.filter({ rating__isnull: 'yes' });
  Post.objects.orderBy('-views', 'author__name', 'id', '?');
  // @ts-expect-error no such field to order by
  Post.objects.orderBy('nope');
}

export async function results(): Promise<void> {
  const rows = await Post.objects.values('title', 'authorId', 'author__name');
  expect<{ title: string; authorId: number; author__name: string }>()(rows[0]!);
  const titles = await Post.objects.valuesList('title', { flat: true });
  expect<string[]>()(titles);
  const counted = await Author.objects.annotate({ n: Count('posts') }).filter({ n__gte: 2 });
  expect<number>()(counted[0]!.n);
  const totals = await Post.objects.aggregate({ total: Sum('views'), n: Count('id') });
  expect<number | null>()(totals.total);
  expect<number>()(totals.n);
  const [created, isNew] = await Post.objects.getOrCreate({ title: 'x' }, { defaults: { views: 1 } });
  expect<Post>()(created);
  expect<boolean>()(isNew);
  const first = await Post.objects.first();
  expect<Post | null>()(first);
  for await (const post of Post.objects.filter({ views: 1 })) expect<Post>()(post);
  // @ts-expect-error no such field in values()
  await Post.objects.values('nope');
}

export async function inputs(author: Author): Promise<void> {
  await Post.objects.create({ title: 'x', author, rating: '1.50', publishedAt: new Date() });
  await Post.objects.create({ title: 'x', authorId: author.id });
  new Post({ title: 'draft' });
  await Post.objects.filter({ views: 0 }).update({ views: 1 });
  // @ts-expect-error a title is a string
  await Post.objects.create({ title: 5, author });
  // @ts-expect-error no such field
  await Post.objects.create({ titel: 'x', author });
}

// What the compiler accepts and refuses once the URLconf is registered. Each line after an
// expect-error directive must be an error (tsc fails on an unused one); every other line compiles.
import { redirect, resolveUrl } from 'tsgi/shortcuts';
import { reverse, reverseLazy, type UrlName, type UrlParams } from 'tsgi/urls';
import './mysite/urls.ts';

const slug = 'hello';

// Names, with and without namespaces (instance and application).
reverse('home');
reverse('blog:index');
reverse('old-blog:index');
reverse('blog:detail', { kwargs: { slug } });
reverse('blog:detail', { args: [slug] });
reverse('blog:archive', { kwargs: { year: 2024, month: 5 } });
reverse('blog:archive', { kwargs: { year: 9007199254740993n, month: '5' } });
reverse('blog:tag', { kwargs: { tag: 'ts' } });
reverse('users:profile', { kwargs: { id: 7 } });
reverse('blog:legacy');
reverse('blog:legacy', { kwargs: { year: 1999 } });
reverseLazy('blog:detail', { kwargs: { slug }, query: { page: 2 } });
// Another URLconf: any name.
reverse('anything', { urlconf: [] });

// @ts-expect-error: a name that does not exist
reverse('blog:detial', { kwargs: { slug } });
// @ts-expect-error: the parameter is missing
reverse('blog:detail');
// @ts-expect-error: the parameter is missing
reverse('blog:detail', { kwargs: {} });
// @ts-expect-error: a parameter of another name
reverse('blog:detail', { kwargs: { pk: 1 } });
// @ts-expect-error: int takes a number, a bigint or a string of digits
reverse('blog:archive', { kwargs: { year: 'this year', month: 5 } });
// @ts-expect-error: the prefix's parameter of an include is required too
reverse('users:profile');
// @ts-expect-error: a name only inside an include is reversed with its namespace
reverse('detail', { kwargs: { slug } });

// redirect() and resolveUrl(): Django's redirect('blog:detail', slug=slug) is { slug }.
redirect('blog:detail', { slug });
redirect('blog:detail', { slug }, { permanent: true });
redirect('blog:detail', slug);
redirect('blog:detail', { kwargs: { slug }, permanent: true });
redirect('home');
redirect('home', { permanent: true });
redirect('/login/');
redirect('https://example.com/', { permanent: true });
redirect(new URL('https://example.com/'));
redirect({ getAbsoluteUrl: () => '/x/' });
resolveUrl('blog:archive', { year: 2024, month: 5 });
resolveUrl('blog:archive', 2024, 5);

// @ts-expect-error: the slug is missing
redirect('blog:detail');
// @ts-expect-error: a parameter of another name
redirect('blog:detail', { pk: 1 });
// @ts-expect-error: not a registered name, and not a URL (no '/' or '.')
redirect('blog:detial', { slug });
// @ts-expect-error: a name that takes nothing given kwargs it does not have
redirect('home', { slug });

// The registry's types.
const name: UrlName = 'blog:detail';
const params: UrlParams<'blog:archive'> = { year: 1, month: 2 };
// @ts-expect-error: not a name
const wrong: UrlName = 'nope';
void [name, params, wrong];

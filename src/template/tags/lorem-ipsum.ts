/**
 * Placeholder Latin for `{% lorem %}`, as Django's `django.utils.lorem_ipsum`: the standard
 * "Lorem ipsum" paragraph first (unless `random`), then random sentences of Latin words.
 */

/** The standard opening paragraph. */
export const COMMON_P =
  'Lorem ipsum dolor sit amet, consectetur adipisicing elit, sed do eiusmod tempor incididunt ut labore et ' +
  'dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ' +
  'ea commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat ' +
  'nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit ' +
  'anim id est laborum.';

/** Its first words, which `{% lorem n w %}` starts with. */
export const COMMON_WORDS = COMMON_P.split(' ', 19).map((word) => word.replace(/[,.]/g, '').toLowerCase());

const WORDS = (
  'accusamus accusantium adipisci aliquam aliquid amet animi aperiam architecto asperiores aspernatur ' +
  'assumenda atque autem beatae blanditiis commodi consequatur consequuntur corporis corrupti culpa cumque ' +
  'cupiditate debitis delectus deleniti deserunt dicta dignissimos distinctio dolor dolore dolorem doloremque ' +
  'dolores doloribus dolorum ducimus earum eius eligendi enim eos error esse est eum eveniet excepturi ' +
  'exercitationem expedita explicabo facere facilis fuga fugiat fugit harum hic illo illum impedit incidunt ' +
  'inventore ipsa ipsam ipsum iste itaque iure iusto labore laboriosam laborum laudantium libero magnam magni ' +
  'maiores maxime minima minus modi molestiae molestias mollitia nam natus necessitatibus nemo neque nesciunt ' +
  'nihil nisi nobis non nostrum nulla numquam obcaecati odio odit officia officiis omnis optio pariatur ' +
  'perferendis perspiciatis placeat porro possimus praesentium provident quae quaerat quam quas quasi qui quia ' +
  'quibusdam quidem quis quisquam quo quod quos ratione recusandae reiciendis rem repellat repellendus ' +
  'reprehenderit repudiandae rerum saepe sapiente sequi similique sint sit soluta sunt suscipit tempora tempore ' +
  'temporibus tenetur totam ullam unde ut vel velit veniam veritatis vero vitae voluptas voluptate voluptatem ' +
  'voluptates voluptatibus voluptatum'
).split(' ');

function randomInt(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

/** `count` distinct words in random order (Python's `random.sample`). */
function sample(count: number): string[] {
  const pool = WORDS.slice();
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}

/** One random sentence: comma-separated sections, capitalised, ending in `.` or `?`. */
export function sentence(): string {
  const sections: string[] = [];
  for (let i = randomInt(1, 5); i > 0; i--) sections.push(sample(randomInt(3, 12)).join(' '));
  const text = sections.join(', ');
  return text[0]!.toUpperCase() + text.slice(1) + (Math.random() < 0.5 ? '?' : '.');
}

/** One random paragraph of one to four sentences. */
export function paragraph(): string {
  const sentences: string[] = [];
  for (let i = randomInt(1, 4); i > 0; i--) sentences.push(sentence());
  return sentences.join(' ');
}

/** `count` paragraphs, the standard one first when `common`. */
export function paragraphs(count: number, common = true): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(common && i === 0 ? COMMON_P : paragraph());
  return out;
}

/** `count` words, the standard ones first when `common`. */
export function words(count: number, common = true): string {
  let list = common ? COMMON_WORDS.slice() : [];
  if (count > list.length) {
    let left = count - list.length;
    while (left > 0) {
      const take = Math.min(left, WORDS.length);
      left -= take;
      list = list.concat(sample(take));
    }
  } else {
    list = list.slice(0, count);
  }
  return list.join(' ');
}

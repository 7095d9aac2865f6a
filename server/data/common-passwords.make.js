// Rebuilds common-passwords.txt (see README.md): node common-passwords.make.js <path to zxcvbn 4.4.2's package/>
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);
const ranked = require(path.resolve(process.argv[2], "lib/frequency_lists.js")).passwords;

// Chinese-pattern passwords: love numbers (520 我爱你, 1314 一生一世), pinyin, keyboard walks, lucky numbers.
const compiled = `123456 5201314 1314520 5201314520 woaini woaini1314 woaini520 woaini1314520 woaini5201314
iloveyou1314 iloveyou520 aini1314 aini520 520520 520520520 1314521 7758521 7758258 147258 147258369
159357 159753 789456 789456123 147852369 123654 321654 112233 11223344 123123123 321321 123qwe qwe123
qwe123456 qweasd qweasdzxc qazwsx qazwsxedc 1qaz2wsx 1qaz2wsx3edc 1q2w3e4r 1q2w3e4r5t qwertyuiop
asdfghjkl zxcvbnm zxcvbnm123 a123456 a123456789 aa123456 aa123456789 abc123456 abc123456789 123456a
123456789a 123456abc a1b2c3d4 88888888 888888888 66666666 666666666 168168 168168168 518518 8888888888
6666666666 1234567890 0123456789 9876543210 0987654321 1234567890a password1 password123 passw0rd
p@ssw0rd admin123 admin888 admin123456 administrator root123 root123456 nihao123 nihao123456 wodemima
mima123 mima123456 mimamima woaiwojia tiantian qq123456 qq5201314 huawei123 xiaomi123 baidu123 taobao123
zhongguo zhongguo123 china123 woshishui wangwei zhangwei liwei liuyang`.split(/\s+/);
const bases = ["woaini", "aini", "qq", "a", "aa", "abc", "wang", "zhang", "li", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "nihao", "mima", "admin", "root", "pass", "password", "qwerty", "asdf", "zxcv", "iloveyou"];
const suffixes = ["123", "1234", "123456", "12345678", "123456789", "520", "1314", "5201314", "1314520", "888", "666", "168"];
const combined = bases.flatMap((base) => suffixes.map((suffix) => base + suffix));

const all = [...new Set([...ranked.slice(0, 10_000), ...ranked.filter((password) => password.length >= 10), ...compiled, ...combined].map((password) => password.toLowerCase()))];
fs.writeFileSync(new URL("./common-passwords.txt", import.meta.url), `${all.join("\n")}\n`);
process.stdout.write(`${all.length} passwords\n`);

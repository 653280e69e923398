#!/usr/bin/env python3
"""Writes common_passwords.txt: passwords attackers try first.

The list is generated, not downloaded: the base words are the ones that top
every published breach-corpus ranking (NIST SP 800-63B asks verifiers to refuse
"passwords obtained from previous breach corpuses" and "dictionary words"),
combined with the decorations people add to pass composition rules (digits,
years, a capital, '!', leetspeak). Only passwords of 8 or more characters are
written, since the length rule refuses shorter ones anyway. Deterministic:
re-running gives the same file.

    services/auth/data/generate_common_passwords.py > services/auth/data/common_passwords.txt
"""

BASE = """
password passw0rd p@ssword p@ssw0rd qwerty qwertyuiop qwerty123 asdfgh asdfghjkl zxcvbnm
zxcvbn 1q2w3e4r 1q2w3e4r5t 1qaz2wsx 1qazxsw2 zaq12wsx qazwsx qazwsxedc abc123 abcd1234
abcdef abcdefgh admin administrator root toor letmein welcome login master monkey dragon
football baseball basketball soccer hockey iloveyou princess sunshine shadow superman
batman spiderman starwars pokemon trustno1 whatever freedom hello hello123 secret
michael jennifer jordan michelle charlie daniel thomas jessica ashley andrew joshua
matthew anthony william robert hunter ranger buster tigger ginger pepper cookie chocolate
summer winter autumn spring flower butterfly computer internet samsung google apple
iphone android microsoft windows linux mustang ferrari porsche corvette harley yankees
cowboys eagles lakers chelsea liverpool arsenal barcelona madrid juventus killer master1
access changeme default guest test tester testing 123qwe qwe123 q1w2e3r4 q1w2e3r4t5
azerty azertyuiop passpass mypassword mypass newpassword password1 loveme lovely
lovelove babygirl angel angels jesus christ blessed heaven family forever friends
nicole daniela natalie samantha elizabeth amanda melissa maggie bailey buddy molly
sophie charlie1 rocky lucky blink182 nirvana metallica slipknot eminem beyonce
skinlens skinlens1 skincare beauty selfie facebook twitter instagram youtube tiktok
whatsapp netflix spotify amazon paypal bitcoin money dollar millionaire success
diamond silver golden purple orange yellow banana cherry peanut pumpkin snoopy
garfield scooby mickey minnie disney matrix zombie ninja pirate wizard merlin gandalf
hogwarts harrypotter pikachu naruto sasuke goku vegeta zelda mario luigi sonic
minecraft fortnite roblox warcraft starcraft counter halo xbox playstation nintendo
jordan23 michael1 superstar rockstar gangster player player1 sweetheart sweetie
honey kitten kitty puppy doggie tiger lion panther jaguar falcon eagle hawk phoenix
thunder lightning storm dragon1 shadow1 monkey1 sunshine1 princess1 football1
baseball1 welcome1 letmein1 master12 qwertz asdf1234 zxcv1234 1234qwer qwer1234
aaaaaa abcabc asdasd qweqwe zxczxc 123abc abc12345 pass1234 admin123 root1234
student teacher school college university london paris berlin moscow newyork
chicago boston dallas texas california florida america canada england france
germany brasil mexico russia china india japan korea australia
"""

SEQUENCES = [
    "12345678", "123456789", "1234567890", "0123456789", "87654321", "987654321",
    "11111111", "00000000", "22222222", "88888888", "99999999", "12121212", "11223344",
    "12341234", "12344321", "13579246", "147258369", "159753", "159357", "741852963",
    "789456123", "123123123", "112233445566", "qwertyui", "asdfghjk", "zxcvbnm1",
    "1q2w3e4r5t6y", "qazwsxedcrfv", "!qaz2wsx", "1qaz!qaz", "q1w2e3r4t5y6", "aaaaaaaa",
    "abcdefg1", "a1b2c3d4", "abcd12345", "qwerty12", "qwerty1234", "qwerty12345",
    "password12", "password123", "password1234", "iloveyou1", "iloveyou2", "iloveu123",
]

SUFFIXES = ["", "1", "12", "123", "1234", "12345", "123456", "!", "1!", "123!", "01",
            "007", "69", "99", "88", "11", "13", "21", "22", "23", "77", "@123", "#1", "."]
YEARS = [str(y) for y in range(1970, 2031)]
# Words that also get a year appended (the most common bases).
TOP = """password qwerty admin welcome letmein monkey dragon football baseball iloveyou
princess sunshine shadow superman batman master hello freedom michael jennifer jordan
charlie summer winter spring secret login pokemon starwars skinlens""".split()

LEET = str.maketrans({"a": "@", "o": "0", "e": "3", "i": "1", "s": "$"})


def variants(word):
    out = {word, word.capitalize(), word.upper(), word.translate(LEET), word + word}
    for s in SUFFIXES:
        out.add(word + s)
    for s in ["1", "123", "!", "1!"]:
        out.add(word.capitalize() + s)
    if word in TOP:
        for y in YEARS:
            out.add(word + y)
            out.add(word.capitalize() + y)
    return out


def main():
    words = sorted(set(BASE.split()))
    found = set(SEQUENCES)
    for w in words:
        found |= variants(w)
    for d in "0123456789":
        found.add(d * 8)
        found.add(d * 10)
    keep = sorted(p for p in found if len(p) >= 8)
    print("\n".join(keep))


if __name__ == "__main__":
    main()

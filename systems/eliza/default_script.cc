// DUCK: the project's own ELIZA script, used when the 1966 DOCTOR script is not installed.
//
// DOCTOR played a Rogerian psychotherapist because that role lets a listener say almost nothing
// and still seem to follow. The same is true of the programmer's rubber duck: you explain your bug
// to it, line by line, and the explaining finds the bug. So this script is a duck. It is written in
// the same 1966 format as DOCTOR (SCRIPT_FORMAT.md) and uses every mechanism the engine has —
// substitutions, ranks, DLIST tags, (* ...) alternatives, =links, NEWKEY, PRE, MEMORY and NONE —
// so the command is a fair demonstration of ELIZA even without the conformance data. The keywords
// and replies are this project's own.
#include "systems/eliza/script.h"

namespace sfs::eliza {

std::string_view default_script_text() {
  return R"SCRIPT(; DUCK - a rubber-duck debugging script for ELIZA, in the 1966 script format.

(HELLO. I AM THE DUCK.  TELL ME WHAT YOUR PROGRAM DOES WRONG)

START

; --- substitutions: the point of view flips while the text is scanned

(DONT = DON'T)
(CANT = CAN'T)
(WONT = WON'T)
(ISNT = ISN'T)
(DOESNT = DOESN'T)
(ME = YOU)
(MYSELF = YOURSELF)
(YOURSELF = MYSELF)
(AM = ARE)
(WERE = WAS)

; --- word classes

(THINK DLIST(/BELIEF))
(BELIEVE DLIST(/BELIEF))
(GUESS DLIST(/BELIEF))
(SUSPECT DLIST(/BELIEF))
(ASSUME DLIST(/BELIEF))

(COMPILER DLIST(/TOOL))
(DEBUGGER DLIST(/TOOL))
(LINKER DLIST(/TOOL))
(EDITOR DLIST(/TOOL))
(LIBRARY DLIST(/TOOL))

(BOSS DLIST(/PERSON))
(COLLEAGUE DLIST(/PERSON))
(REVIEWER DLIST(/PERSON))
(CUSTOMER DLIST(/PERSON))
(TEAM DLIST(/PERSON))

; --- faults: the duck's favourite subject

(BUG 5 DLIST(/FAULT)
    ((0 YOUR 1 0 (/FAULT) 0)
        (WHAT DOES YOUR 3 DO JUST BEFORE IT GOES WRONG)
        (WHEN DID YOUR 3 LAST WORK PROPERLY)
        (COULD YOU SHOW THE PROBLEM WITH A SMALLER 3)
        (WHO ELSE HAS LOOKED AT YOUR 3))
    ((0 (/FAULT) 0)
        (TELL ME EXACTLY WHAT YOU SEE WHEN IT HAPPENS)
        (CAN YOU MAKE IT HAPPEN ON PURPOSE)
        (WHAT IS THE SMALLEST INPUT THAT STILL SHOWS THE 2)
        (WHAT CHANGED JUST BEFORE THE 2 FIRST APPEARED)))

(BUGS 5 DLIST(/FAULT) (=BUG))
(ERROR 5 DLIST(/FAULT) (=BUG))
(CRASH 5 DLIST(/FAULT) (=BUG))
(CRASHES 5 DLIST(/FAULT) (=BUG))
(SEGFAULT 5 DLIST(/FAULT) (=BUG))
(EXCEPTION 5 DLIST(/FAULT) (=BUG))
(PANIC 5 DLIST(/FAULT) (=BUG))
(LEAK 5 DLIST(/FAULT) (=BUG))
(HANG 5 DLIST(/FAULT) (=BUG))

(TEST 4
    ((0 (*TEST TESTS) (*PASS PASSES PASSED) 0)
        (THEN WHAT DO THE TESTS NOT TEST)
        (DO THE TESTS PASS FOR THE REASON YOU THINK)
        (WHICH TEST WOULD HAVE CAUGHT THIS))
    ((0 (*TEST TESTS) (*FAIL FAILS FAILED) 0)
        (WHAT DOES THE FAILING TEST EXPECT)
        (IS THE TEST WRONG, OR THE CODE)
        (DID THAT TEST EVER PASS))
    ((0)
        (WHAT WOULD A TEST FOR THIS LOOK LIKE)
        (NEWKEY)))

(TESTS 4 (=TEST))

(WORKS 3
    ((0 (*WORKS WORKED) 0)
        (WHAT IS DIFFERENT BETWEEN WHERE IT WORKS AND WHERE IT DOES NOT)
        (HOW DO YOU KNOW THAT IT WORKS)
        (DOES IT WORK, OR DOES IT ONLY SEEM TO)))

(WORKED 3 (=WORKS))

(COMPUTER 6
    ((0)
        (THE COMPUTER DOES EXACTLY WHAT THE CODE SAYS.  WHAT DOES THE CODE SAY)
        (COMPUTERS ARE VERY LITERAL.  READ THE LINE TO ME)
        (WHAT DO YOU THINK THE MACHINE IS DOING AT THAT MOMENT)))

(MACHINE 6 (=COMPUTER))

; --- time words

(ALWAYS 2
    ((0)
        (EVERY SINGLE TIME)
        (EVEN WITH A CLEAN BUILD)
        (WHAT WOULD IT TAKE TO MAKE IT NOT HAPPEN)))

(NEVER 2
    ((0)
        (NEVER IS A STRONG WORD.  HOW DID YOU CHECK)
        (NOT EVEN ONCE)
        (WHAT WOULD HAVE TO BE TRUE FOR IT TO HAPPEN)))

(SOMETIMES 2
    ((0)
        (WHAT IS DIFFERENT ABOUT THE TIMES IT HAPPENS)
        (DOES IT DEPEND ON TIMING, OR ON THE INPUT)
        (CAN YOU MAKE IT HAPPEN EVERY TIME)))

(RANDOMLY 2 (=SOMETIMES))

; --- likeness, with a NEWKEY when LIKE is only a verb

(LIKE 10
    ((0 (*IS ARE WAS LOOKS SEEMS) 0 LIKE 0)
        (=DIT))
    ((0)
        (NEWKEY)))

(SAME 10 (=DIT))
(SIMILAR 10 (=DIT))

(DIT
    ((0)
        (HOW ARE THEY ALIKE)
        (WHAT DOES THE SIMILARITY TELL YOU)
        (AND WHERE DO THEY DIFFER)))

; --- people and pronouns

(I = YOU
    ((0 YOU (* WANT NEED) 0)
        (WHY DO YOU NEED 4)
        (WHAT WOULD YOU DO WITH 4)
        (IS 4 WHAT THE PROGRAM NEEDS, OR WHAT YOU NEED))
    ((0 YOU (* CAN'T CANNOT) 0)
        (WHAT STOPS YOU FROM BEING ABLE TO 4)
        (HAVE YOU TRIED TO 4 IN A SMALLER PROGRAM)
        (WHAT HAPPENS WHEN YOU TRY TO 4))
    ((0 YOU (/BELIEF) 0)
        (WHAT WOULD PROVE THAT 4)
        (HOW COULD YOU CHECK THAT 4)
        (AND IF IT IS NOT TRUE THAT 4))
    ((0 YOU ARE 0)
        (HOW LONG HAVE YOU BEEN 4)
        (DOES BEING 4 HELP YOU FIND THE BUG))
    ((0 YOU WAS 0)
        (WHAT HAPPENED WHILE YOU WERE 4)
        (AND THEN))
    ((0 YOU (* TRIED CHANGED ADDED REMOVED) 0)
        (WHAT DID YOU EXPECT WHEN YOU 3 4)
        (WHAT ACTUALLY HAPPENED AFTER YOU 3 4)
        (WHAT ELSE DID YOU TRY))
    ((0)
        (YOU SAY 1)
        (GO ON)
        (WHY DO YOU SAY 1)))

(I'M = YOU'RE
    ((0 YOU'RE 0)
        (PRE (YOU ARE 3) (=I))))

(YOU = I
    ((0 I ARE 0)
        (WHY DOES IT MATTER WHETHER I AM 4)
        (I AM A DUCK.  LET US TALK ABOUT YOUR CODE))
    ((0 I 0)
        (I ONLY LISTEN.  YOU DO THE DEBUGGING)
        (NEVER MIND ME.  WHAT DOES THE PROGRAM DO)))

(YOU'RE = I'M
    ((0 I'M 0)
        (PRE (I ARE 3) (=YOU))))

(YOUR = MY
    ((0 MY 0)
        (WHY DO YOU MENTION MY 3)
        (LET US STAY WITH YOUR PROGRAM)))

(MY = YOUR 2
    ((0 YOUR 0 (/TOOL) 0)
        (ARE YOU SURE THE 4 IS TO BLAME)
        (WHAT DOES THE 4 SAY, WORD FOR WORD)
        (HAVE YOU TRIED ANOTHER 4))
    ((0 YOUR 0 (/PERSON) 0)
        (WHAT DOES YOUR 4 THINK THE PROBLEM IS)
        (HAVE YOU EXPLAINED IT TO YOUR 4 THE WAY YOU EXPLAIN IT TO ME))
    ((0 YOUR 0)
        (YOUR 3)
        (TELL ME MORE ABOUT YOUR 3)
        (WHAT DOES YOUR 3 DO, STEP BY STEP)))

(MEMORY MY
    (0 YOUR 0 = EARLIER YOU MENTIONED YOUR 3)
    (0 YOUR 0 = LET US GO BACK TO YOUR 3)
    (0 YOUR 0 = COULD THIS BE RELATED TO YOUR 3)
    (0 YOUR 0 = IS YOUR 3 STILL A PROBLEM))

; --- questions and answers

(WHY
    ((0 WHY (* DOES DOESN'T DO DON'T IS ISN'T) 0)
        (WHAT WOULD HAVE TO BE TRUE FOR THAT)
        (WHAT DO YOU THINK THE REASON IS)
        (=WHAT))
    (=WHAT))

(WHAT
    ((0)
        (WHAT WOULD YOU ANSWER IF A COLLEAGUE ASKED YOU THAT)
        (WHERE COULD YOU LOOK TO FIND OUT)
        (WHAT DO YOU EXPECT THE ANSWER TO BE)
        (WHAT HAVE YOU RULED OUT ALREADY)))

(HOW (=WHAT))
(WHERE (=WHAT))
(WHEN (=WHAT))

(BECAUSE
    ((0)
        (IS THAT THE ONLY EXPLANATION)
        (HOW COULD YOU TEST THAT REASON)
        (WHAT ELSE WOULD THAT EXPLAIN)))

(PERHAPS
    ((0)
        (YOU SOUND UNSURE.  WHAT WOULD MAKE YOU SURE)
        (MAYBE.  HOW WOULD YOU FIND OUT)
        (LET US NOT GUESS.  WHAT DO YOU KNOW FOR CERTAIN)))

(MAYBE (=PERHAPS))
(PROBABLY (=PERHAPS))

(YES
    ((0)
        (GOOD.  AND THEN)
        (YOU SEEM SURE.  HOW DO YOU KNOW)
        (ALL RIGHT.  GO ON)))

(NO
    ((0)
        (WHY NOT)
        (ARE YOU SURE)
        (THEN WHAT IS IT)))

(SORRY
    ((0)
        (NO NEED TO APOLOGISE TO A DUCK)
        (BUGS HAPPEN TO EVERYONE.  GO ON)))

(HI
    ((0)
        (HELLO.  WHAT ARE YOU WORKING ON)))

(HELLO (=HI))

(THANKS 1
    ((0)
        (YOU FOUND IT YOURSELF.  I ONLY LISTENED)
        (ANY TIME.  DUCKS ARE GOOD LISTENERS)))

(THANK 1 (=THANKS))

(DUCK 20
    ((0)
        (I AM LISTENING.  KEEP EXPLAINING)
        (QUACK.  GO ON)))

(NONE
    ((0)
        (GO ON.  EXPLAIN IT LINE BY LINE)
        (AND THEN WHAT HAPPENS)
        (WHAT DID YOU EXPECT TO HAPPEN INSTEAD)
        (HAVE YOU READ THE ERROR MESSAGE OUT LOUD)
        (WHAT IS THE LAST THING YOU ARE SURE OF)))

()
)SCRIPT";
}

}  // namespace sfs::eliza
